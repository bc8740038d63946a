import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BenchError, checkPowerSource, looksLikeSecret, registerSecret } from 'inferencebench';
import { parseEndpoint } from './client/endpoint-url.js';
import { hostedPricing } from './cost/pricing-data.js';
import { DATASET_IDS } from './datasets/index.js';
import { checkUserFile, loadUserFile, MAX_OUTPUT_LEN } from './datasets/user-file.js';
import { createAdapter } from './engines/adapters/index.js';
import { ENGINE_NAMES, type LlmPlan } from './options.js';
import { tokenizerHubId, WORDS_TOKENIZER } from './tokenizers/index.js';

/**
 * Checks of an llm.inference plan that need more than one option's schema, made before the run record
 * is written and before any engine starts (SPEC §14: a typo costs no engine start and leaves no run):
 * names (engine, power source, dataset, provider), the endpoint URL and the API key's variable, the
 * ranges of numbers a schema accepts but no run can use, and the dataset file itself.
 */
export async function preflightPlan(plan: LlmPlan): Promise<void> {
  checkEngine(plan);
  checkPowerSource(plan.powerSource);
  if (plan.raplRoot !== undefined && !isDirectory(plan.raplRoot))
    throw bad(
      `--rapl-root ${plan.raplRoot} is not a directory`,
      'the powercap directory, e.g. /sys/class/powercap',
    );
  checkProvider(plan.provider);
  checkApiKey(plan);
  checkRanges(plan);
  checkTokenizerName(plan);
  await checkDataset(plan);
  // A hub token is a secret too: masked in whatever a failed download prints.
  registerSecret(process.env.HF_TOKEN);
  // So is a key handed to the engine (`--engine-arg --api-key --engine-arg KEY`, vLLM/SGLang/llama.cpp):
  // masked in the stored command line.
  const args = plan.engineArg ?? [];
  args.forEach((arg, i) => {
    if (arg === '--api-key') registerSecret(args[i + 1]);
    else if (arg.startsWith('--api-key=')) registerSecret(arg.slice('--api-key='.length));
  });
}

function bad(message: string, hint: string): BenchError {
  return new BenchError('BENCH_ERR_BAD_OPTION', message, { hint });
}

function checkEngine(plan: LlmPlan): void {
  // `--engine vllm,sglang` is a launch set (SPEC §10): every name must be an engine.
  const names = plan.engine.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(ENGINE_NAMES as readonly string[]).includes(name))
      throw bad(`unknown engine "${name}"`, `use one of: ${ENGINE_NAMES.join(', ')} (see \`bench engines\`)`);
  }
  if (plan.endpoint) parseEndpoint(plan.endpoint);
  else
    for (const name of names)
      if (createAdapter(name, plan.model) === null)
        throw bad(
          `--engine ${name} needs --endpoint`,
          'give the base URL of the server, e.g. --endpoint https://api.openai.com/v1',
        );
  if (plan.engineBin && !plan.endpoint && !executable(plan.engineBin))
    throw bad(
      `--engine-bin ${plan.engineBin}: no such executable`,
      'give the path of the engine executable (or a name on $PATH)',
    );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `bin` is an executable file: a path as given, or a bare name found on $PATH. */
function executable(bin: string): boolean {
  const candidates = bin.includes('/')
    ? [bin]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir || '.', bin));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

function checkProvider(provider: string | undefined): void {
  if (provider === undefined) return;
  const known = Object.keys(hostedPricing().providers);
  if (!known.includes(provider))
    throw bad(`unknown --provider "${provider}"`, `providers with a pricing snapshot: ${known.join(', ')}`);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--api-key-env` names a variable that is set. A value that is not a variable name, or that looks like
 * a key, is refused without being repeated: it is most likely the key itself.
 */
function checkApiKey(plan: LlmPlan): void {
  const name = plan.apiKeyEnv;
  if (name === undefined) {
    if (plan.engine === 'openai') registerSecret(process.env.OPENAI_API_KEY);
    return;
  }
  if (!ENV_NAME.test(name) || looksLikeSecret(name)) {
    registerSecret(name);
    throw bad(
      '--api-key-env takes the name of an environment variable, and the value given looks like a key (not shown)',
      'put the key in a variable and name it: export MY_KEY=... then --api-key-env MY_KEY',
    );
  }
  const key = process.env[name];
  if (!key)
    throw bad(`environment variable ${name} (--api-key-env) is not set`, `export ${name}=... before running`);
  registerSecret(key);
  if (plan.endpoint && parseEndpoint(plan.endpoint).basicAuth !== null)
    throw bad(
      '--endpoint has credentials in it and --api-key-env names a key: give one of the two',
      'a bearer token goes in the variable named by --api-key-env; user:password@ in the URL is sent as Basic auth',
    );
}

/**
 * The API key to send: from `--api-key-env`, else `OPENAI_API_KEY` for `openai` unless the endpoint URL
 * carries its own credentials. Registered as a secret, so it is masked in every text.
 */
export function apiKeyFor(plan: Pick<LlmPlan, 'apiKeyEnv' | 'engine' | 'endpoint'>): string | undefined {
  if (plan.apiKeyEnv) {
    const key = process.env[plan.apiKeyEnv];
    registerSecret(key);
    return key || undefined;
  }
  if (plan.engine !== 'openai') return undefined;
  if (plan.endpoint && parseEndpoint(plan.endpoint).basicAuth !== null) return undefined;
  const key = process.env.OPENAI_API_KEY;
  registerSecret(key);
  return key || undefined;
}

/** Ranges a run can use, each with why; the schemas only say "a positive number". */
interface Range {
  key: keyof LlmPlan;
  flag: string;
  min?: number;
  max: number;
  why: string;
}

/** setTimeout fires at once beyond 2^31-1 ms, so no wait may be longer (about 24.8 days). */
const MAX_WAIT_S = Math.floor((2 ** 31 - 1) / 1000);

const RANGES: Range[] = [
  {
    key: 'durationS',
    flag: '--duration',
    min: 1,
    max: 7 * 86_400,
    why: 's: a shorter window measures next to nothing',
  },
  {
    key: 'concurrency',
    flag: '--concurrency',
    max: 20_000,
    why: 'streams: more than one client can hold open',
  },
  { key: 'rate', flag: '--rate', max: 100_000, why: 'req/s: more than one client can schedule' },
  { key: 'inputLen', flag: '--input-len', max: MAX_OUTPUT_LEN, why: 'tokens' },
  { key: 'outputLen', flag: '--output-len', max: MAX_OUTPUT_LEN, why: 'tokens' },
  { key: 'inputLenSpread', flag: '--input-len-spread', max: MAX_OUTPUT_LEN, why: 'tokens' },
  { key: 'outputLenSpread', flag: '--output-len-spread', max: MAX_OUTPUT_LEN, why: 'tokens' },
  { key: 'warmupRuns', flag: '--warmup-runs', max: 1000, why: 'warm-up runs' },
  { key: 'gateWindow', flag: '--gate-window', max: 100_000, why: 'requests' },
  { key: 'tp', flag: '--tp', max: 1024, why: 'GPUs' },
  { key: 'readyTimeout', flag: '--ready-timeout', max: MAX_WAIT_S, why: 'seconds' },
  { key: 'gateTimeoutS', flag: '--gate-timeout', max: MAX_WAIT_S, why: 'seconds' },
  { key: 'drainTimeoutS', flag: '--drain-timeout', max: MAX_WAIT_S, why: 'seconds' },
  { key: 'requestTimeoutS', flag: '--request-timeout', max: MAX_WAIT_S, why: 'seconds' },
  { key: 'gpuHourUsd', flag: '--gpu-hour-usd', max: 10_000, why: 'USD per GPU-hour' },
];

function checkRanges(plan: LlmPlan): void {
  for (const r of RANGES) {
    const raw = plan[r.key];
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (typeof v !== 'number' || v === Number.POSITIVE_INFINITY) continue; // `inf` rate, unset options
      if (!Number.isFinite(v) || v > r.max || (r.min !== undefined && v < r.min))
        throw bad(
          `${r.flag} ${v} is out of range (${r.min === undefined ? 'at most' : `${r.min} to`} ${r.max.toLocaleString('en-US')} ${r.why})`,
          `give ${r.flag} a value a run can use`,
        );
    }
  }
  for (const [k, v] of Object.entries(plan.slo ?? {}))
    if (!Number.isFinite(v))
      throw bad(`--slo ${k}=${v} is not a finite number`, 'e.g. --slo ttft_p99_ms=500');
}

/**
 * The tokenizer can be named: `words`, a hub id (owner/name) or a known short model name. Whether it
 * downloads is the run's business; a name that can never resolve is a typo, found now.
 */
function checkTokenizerName(plan: LlmPlan): void {
  const requested = plan.tokenizer ?? plan.model;
  if (requested === WORDS_TOKENIZER || tokenizerHubId(requested) !== null) return;
  // Synthetic prompts without --tokenizer fall back to `words` with a note (datasets/index.ts).
  if (plan.tokenizer === undefined && plan.dataset === 'synthetic') return;
  throw new BenchError(
    'BENCH_ERR_TOKENIZER',
    `"${requested}" is not a hub id (owner/name) nor a known model name, so its tokenizer cannot be found`,
    { hint: 'pass --tokenizer <owner/name> (the model on the Hugging Face hub), or --tokenizer words' },
  );
}

/** `--dataset`: a known id, or a readable ShareGPT JSON / JSONL file whose records all parse. */
async function checkDataset(plan: LlmPlan): Promise<void> {
  if ((DATASET_IDS as readonly string[]).includes(plan.dataset)) return;
  if (!plan.dataset.startsWith('file:'))
    throw new BenchError('BENCH_ERR_DATASET', `unknown dataset "${plan.dataset}"`, {
      hint: 'use sharegpt-v3, synthetic, or file:PATH (see `bench datasets`)',
    });
  const path = plan.dataset.slice('file:'.length);
  if (path.length === 0)
    throw new BenchError('BENCH_ERR_DATASET', 'file: needs a path', {
      hint: 'e.g. --dataset file:./prompts.jsonl',
    });
  await checkUserFile(path);
  // Every record is parsed now, with a stand-in count (the tokenizer may need a download, which is
  // part of the run): a bad record is found before anything starts, not after the engine is up.
  await loadUserFile(path, STRUCTURE_ONLY, plan.outputLen);
}

/** A token counter that only tells empty from non-empty text, for the structural pass over a file. */
const STRUCTURE_ONLY = {
  name: 'structure-only',
  approximate: true,
  sha256: null,
  count: (text: string) => (text.length > 0 ? 1 : 0),
  encode: () => null,
};
