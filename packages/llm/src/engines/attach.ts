import { BenchError } from 'inferencebench';
import type { LlmPlan } from '../options.js';
import type { EngineHandle, RequestQuirks } from '../types.js';
import type { EngineAdapter } from './adapters/base.js';
import type { EngineContext } from './context.js';
import { type Endpoint, endpointUrl, parseEndpoint } from '../client/endpoint-url.js';
import { apiKeyFor } from '../preflight.js';
import { abortable, abortableSleep } from '../abortable.js';
import { jsonOf, probe } from './http.js';

/** Hosted APIs: standard fields only, output length not enforceable. */
const HOSTED_QUIRKS: RequestQuirks = { canForceOutputLength: false, strictFields: true, includeUsage: true };

/** The env var holding the bearer token: --api-key-env, else OPENAI_API_KEY for `openai`. */
export function apiKeyEnvName(plan: Pick<LlmPlan, 'apiKeyEnv' | 'engine'>): string | null {
  return plan.apiKeyEnv ?? (plan.engine === 'openai' ? 'OPENAI_API_KEY' : null);
}

/** `http://h:8000/v1/` -> `http://h:8000` (the server root, where /health and /metrics live). */
export function originOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Attach to a running server (`--endpoint`): check it answers an authenticated `GET /v1/models`, then,
 * for a known engine, wait for its readiness and read its version; for hosted APIs the version is the
 * `system_fingerprint` of a one-token response, when the provider sends one.
 */
export async function attachEngine(
  adapter: EngineAdapter | null,
  plan: LlmPlan,
  ctx: EngineContext,
): Promise<EngineHandle> {
  const endpoint = plan.endpoint;
  if (!endpoint) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--engine ${plan.engine} needs --endpoint`, {
      hint: 'give the base URL of the server, e.g. --endpoint https://api.openai.com/v1',
    });
  }
  // Credentials and the query string of the URL are split off: sent as a header and kept on every request.
  const ep = parseEndpoint(endpoint);
  const baseUrl = ep.base;
  const envName = apiKeyEnvName(plan);
  const key = apiKeyFor(plan);
  if (plan.apiKeyEnv && !key) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `environment variable ${plan.apiKeyEnv} (--api-key-env) is not set`,
      {
        hint: `export ${plan.apiKeyEnv}=... before running`,
      },
    );
  }
  const authorization = key ? `Bearer ${key}` : ep.basicAuth;
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const models = await probe(endpointUrl(ep, '/models'), { headers, timeoutMs: 15_000, signal: ctx.signal });
  if (ctx.signal.aborted)
    throw new BenchError('BENCH_ERR_ABORTED', `interrupted while attaching to ${baseUrl}`);
  if (models.status === null) {
    throw new BenchError('BENCH_ERR_ENDPOINT', `cannot reach ${baseUrl} (${models.error})`, {
      hint: 'check --endpoint and that the server is running and reachable from here',
    });
  }
  if (models.status === 401 || models.status === 403) {
    throw new BenchError(
      'BENCH_ERR_ENDPOINT',
      `${baseUrl} rejected the request (HTTP ${models.status}): ${key ? `the key in ${envName} was not accepted` : 'no API key was sent'}`,
      { hint: `set ${envName ?? 'OPENAI_API_KEY'} to a valid key, or name the variable with --api-key-env` },
    );
  }

  let version: string | null = null;
  let modelInfo: Record<string, unknown> | null = null;
  if (adapter) {
    const origin = originOf(baseUrl);
    const deadline = performance.now() + plan.readyTimeout * 1000;
    const waiting = `waiting for ${baseUrl} to become ready`;
    while ((await abortable(adapter.readiness(origin), ctx.signal, waiting)) !== 'ready') {
      if (ctx.signal.aborted)
        throw new BenchError('BENCH_ERR_ABORTED', `interrupted while waiting for ${baseUrl}`);
      if (performance.now() > deadline) {
        throw new BenchError(
          'BENCH_ERR_ENDPOINT',
          `${baseUrl} did not become ready within ${plan.readyTimeout} s`,
          {
            hint: `check the server's own log; ${adapter.name} readiness is ${adapter.healthPath ?? 'a one-token request'}`,
          },
        );
      }
      await abortableSleep(ctx.pollIntervalMs ?? 500, ctx.signal, waiting);
    }
    version = await abortable(adapter.version(origin), ctx.signal, `reading the version of ${baseUrl}`);
    modelInfo = await adapter.attachedModelInfo(origin);
    const slots = typeof modelInfo?.slots === 'number' ? modelInfo.slots : null;
    const maxC = Math.max(1, ...(plan.concurrency ?? []));
    if (slots !== null && slots < maxC)
      ctx.progress.warn(
        `${baseUrl} serves ${slots} request(s) at once (${adapter.name} slots) but the largest level is c=${maxC}: the rest wait inside the server`,
      );
  } else if (models.status >= 200 && models.status < 300) {
    version = await abortable(hostedFingerprint(ep, plan, headers), ctx.signal, `probing ${baseUrl}`);
  } else {
    throw new BenchError('BENCH_ERR_ENDPOINT', `${baseUrl}/models answered HTTP ${models.status}`, {
      hint: 'check that --endpoint is the base URL of an OpenAI-compatible API (ending in /v1)',
    });
  }

  const origin = originOf(baseUrl);
  return {
    name: plan.engine,
    // The URL as given, credentials and query included: the client sends them the same way. Stored and
    // printed texts are redacted by the core.
    baseUrl: endpoint,
    version,
    commandLine: null,
    quirks: adapter ? adapter.quirks : HOSTED_QUIRKS,
    metricsUrl: adapter?.metricsPath ? `${origin}${adapter.metricsPath}` : null,
    dcgmUrl: null,
    modelInfo,
    // Attached servers are not ours to watch or stop; failed requests show their state.
    died: new Promise<never>(() => {}),
    stop: async () => {},
  };
}

/** `system_fingerprint` of a one-token response (costs one output token), or null. */
async function hostedFingerprint(
  ep: Endpoint,
  plan: LlmPlan,
  headers: Record<string, string>,
): Promise<string | null> {
  const chat = plan.api === 'chat';
  const res = await probe(endpointUrl(ep, chat ? '/chat/completions' : '/completions'), {
    method: 'POST',
    headers,
    body: chat
      ? { model: plan.model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }
      : { model: plan.model, prompt: 'Hi', max_tokens: 1 },
    timeoutMs: 30_000,
  });
  const body = jsonOf(res);
  return body && typeof body.system_fingerprint === 'string' ? body.system_fingerprint : null;
}
