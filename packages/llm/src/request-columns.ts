import type { RequestColumn } from 'inferencebench';

/**
 * The llm.inference plugin's per-request columns in the run store (milliseconds and token counts, full
 * precision). Everything else a record carries (ITL gaps, chunk tokens, errors) goes into its `data` JSON.
 */
export const LLM_REQUEST_COLUMNS: RequestColumn[] = [
  { name: 'ttft_ms', type: 'real' },
  { name: 'tpot_ms', type: 'real' },
  { name: 'e2e_ms', type: 'real' },
  { name: 'n_in', type: 'integer' },
  { name: 'n_out', type: 'integer' },
  { name: 'queue_wait_ms', type: 'real' },
  { name: 'server_ttft_ms', type: 'real' },
];
