import { BenchError, redactUrls, registerSecret } from 'inferencebench';

/**
 * An `--endpoint` URL split into what each request needs. Credentials in the URL
 * (`http://user:KEY@host/v1`) travel as an `Authorization: Basic` header (fetch and HTTP/1.1 request
 * lines cannot carry them), the query string (`?api_key=KEY`, Azure's `?api-version=...`) is kept on
 * every request, and `shown` is the form fit to print or store.
 */
export interface Endpoint {
  /** scheme://host[:port]/path, no credentials, no query, no trailing slash: `http://h:8000/v1`. */
  base: string;
  /** `''` or `?...`, appended after each request's path. */
  query: string;
  /** `Basic base64(user:password)` from the URL's userinfo, or null. */
  basicAuth: string | null;
  /** The URL with its userinfo and query values redacted. */
  shown: string;
}

/** Parse an endpoint URL; its credentials and query values are registered as secrets (masked in every text). */
export function parseEndpoint(raw: string): Endpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--endpoint is not a URL: ${redactUrls(raw)}`, {
      hint: 'give the base URL of the server, e.g. --endpoint http://127.0.0.1:8000/v1',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `--endpoint must be http:// or https://, got ${url.protocol}`,
      {
        hint: 'e.g. --endpoint http://127.0.0.1:8000/v1',
      },
    );
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  registerSecret(user);
  registerSecret(password);
  for (const [, value] of url.searchParams) registerSecret(value);
  // A bare `?KEY` is a key too.
  if (url.search.length > 1 && !url.search.includes('=')) registerSecret(url.search.slice(1));
  const basicAuth =
    user !== '' || password !== '' ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : null;
  if (basicAuth) registerSecret(basicAuth.slice('Basic '.length));
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { base, query: url.search, basicAuth, shown: redactUrls(raw) };
}

/** The URL of `path` (`/models`) under the endpoint, with its query string. */
export function endpointUrl(endpoint: Endpoint, path: string): string {
  return `${endpoint.base}${path}${endpoint.query}`;
}
