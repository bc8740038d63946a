import { readFile } from 'node:fs/promises';
import { BenchError } from 'inferencebench';
import { cacheDir } from '../hub/cache-home.js';
import { hubDownloadIfExists } from '../hub/download.js';
import { findCatalogueModel, type ModelFacts } from './catalogue.js';

/** Facts with where they came from. */
export interface SourcedFacts {
  facts: ModelFacts;
  /** `catalogue` (shipped, sourced), or the config.json URL they were read from. */
  source: string;
  /** True when the parameter count was computed from the shapes rather than published. */
  paramsEstimated: boolean;
}

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Facts from a Hugging Face `config.json` (pure). Multimodal configs (Llama 4) keep the text model under
 * `text_config`. Parameter counts are computed from the layer shapes: embeddings, attention (GQA or
 * DeepSeek's latent attention) and the MLP or experts of each layer; within a few percent of the
 * published totals for the catalogue's models (tests hold them to 5%).
 */
export function factsFromConfig(config: Json): { facts: ModelFacts; paramsEstimated: true } {
  const c = (
    typeof config.text_config === 'object' && config.text_config ? config.text_config : config
  ) as Json;
  const architecture = String(c.model_type ?? config.model_type ?? 'unknown');
  const layers = num(c.num_hidden_layers);
  const hidden = num(c.hidden_size);
  const heads = num(c.num_attention_heads);
  if (!layers || !hidden || !heads) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      'config.json has no num_hidden_layers / hidden_size / num_attention_heads',
      { hint: 'pass --tp explicitly: the model shapes are needed to check that it fits' },
    );
  }
  const kvHeads = num(c.num_key_value_heads) ?? heads;
  const headDim = num(c.head_dim) ?? hidden / heads;
  const vocab = num(c.vocab_size) ?? 32000;
  const inter = num(c.intermediate_size) ?? 4 * hidden;
  const experts = num(c.num_local_experts) ?? num(c.num_experts) ?? num(c.n_routed_experts);
  const perToken = num(c.num_experts_per_tok) ?? 1;
  const moeInter = num(c.moe_intermediate_size) ?? inter;
  const shared = num(c.n_shared_experts) ?? (architecture.startsWith('llama4') ? 1 : 0);
  const sharedInter = num(c.shared_expert_intermediate_size) ?? moeInter * shared;
  const kvLoraRank = num(c.kv_lora_rank);
  const ropeHeadDim = num(c.qk_rope_head_dim) ?? 0;

  // Attention parameters per layer.
  let attn: number;
  if (kvLoraRank) {
    const qLora = num(c.q_lora_rank) ?? 0;
    const nope = num(c.qk_nope_head_dim) ?? headDim;
    const vDim = num(c.v_head_dim) ?? headDim;
    const q = qLora
      ? hidden * qLora + qLora * heads * (nope + ropeHeadDim)
      : hidden * heads * (nope + ropeHeadDim);
    attn =
      q + hidden * (kvLoraRank + ropeHeadDim) + kvLoraRank * heads * (nope + vDim) + heads * vDim * hidden;
  } else {
    attn = 2 * hidden * heads * headDim + 2 * hidden * kvHeads * headDim;
  }
  const denseMlp = 3 * hidden * (num(c.intermediate_size_mlp) ?? inter);
  // Which layers are MoE: DeepSeek's first k are dense, Llama 4 Maverick interleaves every second one.
  let moeLayers = 0;
  if (experts) {
    const firstDense = num(c.first_k_dense_replace) ?? 0;
    const step = num(c.interleave_moe_layer_step) ?? num(c.decoder_sparse_step) ?? 1;
    for (let i = firstDense; i < layers; i++) if ((i + 1) % step === 0) moeLayers++;
  }
  const expertParams = 3 * hidden * moeInter;
  const sharedParams = 3 * hidden * sharedInter;
  const router = experts ? hidden * experts : 0;
  const embeddings = vocab * hidden * (c.tie_word_embeddings === true ? 1 : 2);
  const denseLayers = layers - moeLayers;
  const common = embeddings + layers * attn + denseLayers * denseMlp + moeLayers * (sharedParams + router);
  const paramsTotal = common + moeLayers * (experts ?? 0) * expertParams;
  const paramsActive = common + moeLayers * Math.min(perToken, experts ?? 0) * expertParams;
  const facts: ModelFacts = {
    architecture,
    moe: Boolean(experts),
    paramsTotal,
    paramsActive,
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    maxContext: num(c.max_position_embeddings) ?? num(config.max_position_embeddings) ?? 4096,
  };
  if (kvLoraRank) facts.mla = { kvLoraRank, ropeHeadDim };
  if (experts) {
    facts.experts = experts;
    facts.expertsPerToken = perToken;
  }
  return { facts, paramsEstimated: true };
}

/** A hub id (`owner/name`), as opposed to a local path or a GGUF file. */
export function looksLikeHubId(id: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(id) && !id.endsWith('.gguf');
}

/**
 * Facts for the served id: the shipped catalogue first (offline, sourced), else the hub's config.json,
 * cached beside the tokenizers. Null with a reason when neither can be had (offline, a local path).
 */
export async function loadModelFacts(
  served: string,
  ctx: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<{ facts: SourcedFacts | null; why: string | null }> {
  const entry = findCatalogueModel(served);
  if (entry) return { facts: { facts: entry.facts, source: 'catalogue', paramsEstimated: false }, why: null };
  if (!looksLikeHubId(served)) return { facts: null, why: `${served} is not a hub id` };
  const env = ctx.env ?? process.env;
  try {
    const file = await hubDownloadIfExists({
      repo: served,
      repoType: 'model',
      revision: 'main',
      file: 'config.json',
      cacheRoot: cacheDir('tokenizers', env),
      errorCode: 'BENCH_ERR_TOKENIZER',
      fallbackHint: 'pass --tp explicitly',
      env,
      maxAttempts: 1,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!file) return { facts: null, why: `${served} has no config.json on the hub` };
    const parsed = factsFromConfig(JSON.parse(await readFile(file.path, 'utf8')) as Json);
    return { facts: { facts: parsed.facts, source: file.url, paramsEstimated: true }, why: null };
  } catch (err) {
    return { facts: null, why: `config.json of ${served} could not be read: ${(err as Error).message}` };
  }
}
