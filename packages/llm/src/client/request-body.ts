/** Builds the JSON body and path of one streaming request; pure, so the quirks are easy to test. */
import type { ClientRequest, RequestQuirks } from '../types.js';

/** Path below the base URL for the request's API. */
export function requestPath(api: ClientRequest['api']): string {
  return api === 'chat' ? '/chat/completions' : '/completions';
}

/**
 * The request body for `request` as the engine's quirks allow. Sampling is left at the engine's
 * defaults: only what streaming, usage and forcing the output length need is set.
 */
export function buildRequestBody(request: ClientRequest, quirks: RequestQuirks): Record<string, unknown> {
  const outputTokens = request.item.outputTokens;
  const body: Record<string, unknown> = { model: request.model };
  if (request.api === 'chat') body.messages = [{ role: 'user', content: request.item.prompt }];
  else body.prompt = request.item.prompt;
  body.max_tokens = outputTokens;
  // Newer OpenAI servers read max_completion_tokens for chat; strict engines reject it.
  if (request.api === 'chat' && !quirks.strictFields) body.max_completion_tokens = outputTokens;
  body.stream = true;
  if (quirks.includeUsage) body.stream_options = { include_usage: true };
  // ignore_eos/min_tokens are vLLM/SGLang extensions: only for engines that honour them and accept them.
  if (quirks.canForceOutputLength && !quirks.strictFields) {
    body.ignore_eos = true;
    body.min_tokens = outputTokens;
  }
  // llama.cpp extensions (tools/server/README.md): timings on every chunk, and the prompt cache switch.
  if (quirks.timingsPerToken) body.timings_per_token = true;
  if (quirks.cachePrompt === false) body.cache_prompt = false;
  return body;
}
