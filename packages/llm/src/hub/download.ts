import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BenchError, type Progress } from 'inferencebench';
import { request } from 'undici';
import { hubEndpoint, hubOffline } from './cache-home.js';

/**
 * Download of one file from the Hugging Face hub (or a mirror at HF_ENDPOINT) into a cache, following the
 * hub's resolve protocol as huggingface_hub's file_download.py does: a HEAD on
 * `<endpoint>/[datasets/]<repo>/resolve/<revision>/<file>` without following redirects gives
 * `X-Repo-Commit`, `X-Linked-Etag` (the sha256 of an LFS file, quoted) and `X-Linked-Size`; the bytes then
 * come from the redirect target (a CDN for LFS files). Bytes go to `<file>.incomplete`, through sha256 as
 * they are written, resumed with `Range: bytes=N-` after a cut, verified, then renamed into place.
 */

export type HubRepoType = 'dataset' | 'model';

export interface HubFileRequest {
  repo: string;
  repoType: HubRepoType;
  /** Commit hash, branch or tag. */
  revision: string;
  /** Path of the file inside the repository. */
  file: string;
  /** Cache root; the file lands in `<cacheRoot>/<owner>--<name>/<revision>/<file>`. */
  cacheRoot: string;
  /** Error code for failures (`BENCH_ERR_DATASET` or `BENCH_ERR_TOKENIZER`). */
  errorCode: 'BENCH_ERR_DATASET' | 'BENCH_ERR_TOKENIZER';
  /** What else the user can do when the file cannot be had, e.g. `use --dataset synthetic`. */
  fallbackHint: string;
  /** sha256 shipped with the tool for this revision; checked when the hub sends no LFS etag. */
  expectedSha256?: string;
  progress?: Progress;
  signal?: AbortSignal;
  /** Attempts (the first plus resumes) before giving up on a connection that keeps breaking. */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
  /** A 404 is not an error (see hubDownloadIfExists); the absence is cached too. */
  optional?: boolean;
}

/** The optional file does not exist at this revision. */
class NotOnHub extends Error {}

/** Like hubDownload, but null when the hub says the file does not exist (404), remembered in the cache. */
export async function hubDownloadIfExists(req: HubFileRequest): Promise<HubFile | null> {
  try {
    return await hubDownload({ ...req, optional: true });
  } catch (err) {
    if (err instanceof NotOnHub) return null;
    throw err;
  }
}

/** Where a hub file is, and what the hub said about it. */
export interface HubFile {
  path: string;
  url: string;
  /** `X-Repo-Commit` the revision resolved to (null for a file copied into the cache by hand). */
  commit: string | null;
  sha256: string;
  sizeBytes: number;
  /** True when no request was made. */
  fromCache: boolean;
}

interface CacheMeta {
  url: string;
  commit: string | null;
  etag: string | null;
  sha256: string;
  sizeBytes: number;
  downloadedAt: string;
  copiedByHand?: boolean;
}

interface RemoteInfo {
  commit: string | null;
  etag: string | null;
  /** sha256 from X-Linked-Etag (LFS files) or null. */
  lfsSha256: string | null;
  sizeBytes: number | null;
  /** Where the bytes are (the redirect target for LFS files). */
  downloadUrl: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SHA1_HEX = /^[0-9a-f]{40}$/;

/** True for a full 40-hex commit id (an immutable revision). */
export function isCommitHash(revision: string): boolean {
  return SHA1_HEX.test(revision);
}

/** `<endpoint>/datasets/<repo>/resolve/<revision>/<file>` (models have no `datasets/` prefix). */
export function hubFileUrl(
  repo: string,
  repoType: HubRepoType,
  revision: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const prefix = repoType === 'dataset' ? 'datasets/' : '';
  const filePath = file.split('/').map(encodeURIComponent).join('/');
  return `${hubEndpoint(env)}/${prefix}${repo}/resolve/${encodeURIComponent(revision)}/${filePath}`;
}

/** Where a hub file is cached (whether or not it is there yet). */
export function hubCachePath(cacheRoot: string, repo: string, revision: string, file: string): string {
  return join(cacheRoot, repo.replace('/', '--'), encodeURIComponent(revision), ...file.split('/'));
}

/** Strip `W/` and quotes from an ETag header value. */
export function normalizeEtag(raw: string | null): string | null {
  if (raw === null) return null;
  return raw.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/**
 * Get a hub file, from the cache when it is there (no request at all: the cache is keyed by the revision
 * asked for, so a pinned commit hash works offline), else downloaded, verified and cached.
 */
export async function hubDownload(req: HubFileRequest): Promise<HubFile> {
  const env = req.env ?? process.env;
  const url = hubFileUrl(req.repo, req.repoType, req.revision, req.file, env);
  const path = hubCachePath(req.cacheRoot, req.repo, req.revision, req.file);
  const cached = await fromCache(req, path, url);
  if (cached !== null) return cached;
  if (req.optional && (await stat(`${path}.absent`).catch(() => null)) !== null) throw new NotOnHub();

  if (hubOffline(env)) throw coldCacheError(req, url, path, 'HF_HUB_OFFLINE is set');
  await mkdir(dirname(path), { recursive: true });
  const info = await headInfo(req, url, path, env);
  const partial = `${path}.incomplete`;
  const sha256 = await fetchWithResume(req, info, partial, env);

  // The size and checksum are checked before the file is visible under its final name.
  const size = (await stat(partial)).size;
  if (info.sizeBytes !== null && size !== info.sizeBytes) {
    await unlink(partial).catch(() => undefined);
    throw new BenchError(
      req.errorCode,
      `download of ${req.file} from ${url} has ${size} bytes, the hub announced ${info.sizeBytes}; the partial file was removed`,
      { hint: 'run the command again' },
    );
  }
  const expected = info.lfsSha256 ?? req.expectedSha256 ?? null;
  if (expected !== null && sha256 !== expected) {
    await unlink(partial).catch(() => undefined);
    throw new BenchError(
      req.errorCode,
      `sha256 mismatch for ${req.file} from ${url}: expected ${expected}, got ${sha256}; the file was removed`,
      {
        hint: 'run again; if it repeats, the mirror at HF_ENDPOINT serves different bytes for this revision',
      },
    );
  }
  if (info.lfsSha256 !== null && req.expectedSha256 !== undefined && info.lfsSha256 !== req.expectedSha256) {
    req.progress?.warn(
      `${req.file}: the hub's sha256 ${info.lfsSha256} differs from the one shipped for this revision (${req.expectedSha256}); using the hub's`,
    );
  }
  // A small non-LFS file's ETag is its git blob id: check that too.
  if (info.lfsSha256 === null && info.etag !== null && SHA1_HEX.test(info.etag)) {
    const blobId = await gitBlobSha1(partial, size);
    if (blobId !== info.etag) {
      await unlink(partial).catch(() => undefined);
      throw new BenchError(
        req.errorCode,
        `checksum mismatch for ${req.file} from ${url}: git blob id ${blobId}, the hub announced ${info.etag}; the file was removed`,
        { hint: 'run the command again' },
      );
    }
  }
  await rename(partial, path);
  const meta: CacheMeta = {
    url,
    commit: info.commit,
    etag: info.etag,
    sha256,
    sizeBytes: size,
    downloadedAt: new Date().toISOString(),
  };
  await writeFile(`${path}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return { path, url, commit: info.commit, sha256, sizeBytes: size, fromCache: false };
}

async function fromCache(req: HubFileRequest, path: string, url: string): Promise<HubFile | null> {
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) return null;
  const meta = await readFile(`${path}.meta.json`, 'utf8')
    .then((t) => JSON.parse(t) as CacheMeta)
    .catch(() => null);
  if (meta !== null && meta.sizeBytes === st.size) {
    return { path, url, commit: meta.commit, sha256: meta.sha256, sizeBytes: st.size, fromCache: true };
  }
  // A file the user copied into the cache by hand: checked against the shipped sha256 when there is one.
  const sha256 = await sha256File(path);
  if (req.expectedSha256 !== undefined && sha256 !== req.expectedSha256) {
    throw new BenchError(
      req.errorCode,
      `${path} has sha256 ${sha256}, expected ${req.expectedSha256} for revision ${req.revision}`,
      { hint: `remove it, or copy the right file (${url}) there` },
    );
  }
  const copied: CacheMeta = {
    url,
    commit: isCommitHash(req.revision) ? req.revision : null,
    etag: null,
    sha256,
    sizeBytes: st.size,
    downloadedAt: new Date().toISOString(),
    copiedByHand: true,
  };
  await writeFile(`${path}.meta.json`, `${JSON.stringify(copied, null, 2)}\n`);
  return { path, url, commit: copied.commit, sha256, sizeBytes: st.size, fromCache: true };
}

function authHeaders(target: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  // The token goes to the hub only, never to the CDN a redirect points at.
  if (token === undefined || token.length === 0) return {};
  if (new URL(target).origin !== new URL(hubEndpoint(env)).origin) return {};
  return { authorization: `Bearer ${token}` };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

async function headInfo(
  req: HubFileRequest,
  url: string,
  path: string,
  env: NodeJS.ProcessEnv,
): Promise<RemoteInfo> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: 'HEAD',
      headers: { 'user-agent': 'inferencebench', ...authHeaders(url, env) },
      signal: req.signal,
      headersTimeout: 30_000,
    });
  } catch (err) {
    if (req.signal?.aborted) throw abortError();
    throw coldCacheError(req, url, path, reasonOf(err));
  }
  await res.body.dump().catch(() => undefined);
  const { statusCode, headers } = res;
  if (statusCode === 401 || statusCode === 403) {
    throw new BenchError(
      req.errorCode,
      `the hub refused ${url} (HTTP ${statusCode}): the repository is gated or private`,
      {
        hint: `accept its licence on the hub and set HF_TOKEN, or ${req.fallbackHint}`,
      },
    );
  }
  if (statusCode === 404 && req.optional) {
    await writeFile(`${path}.absent`, `${url}\n`);
    throw new NotOnHub();
  }
  if (statusCode === 404) {
    throw new BenchError(req.errorCode, `not found on the hub: ${url} (HTTP 404)`, {
      hint: `check the repository, revision and file name, or ${req.fallbackHint}`,
    });
  }
  let downloadUrl = url;
  if (statusCode >= 300 && statusCode < 400) {
    const location = header(headers, 'location');
    if (location === null) {
      throw new BenchError(req.errorCode, `the hub answered ${statusCode} without a Location for ${url}`);
    }
    downloadUrl = new URL(location, url).toString();
  } else if (statusCode < 200 || statusCode >= 300) {
    throw new BenchError(req.errorCode, `the hub answered HTTP ${statusCode} for ${url}`, {
      hint: `try again later, or ${req.fallbackHint}`,
    });
  }
  const linkedEtag = normalizeEtag(header(headers, 'x-linked-etag'));
  const etag = linkedEtag ?? normalizeEtag(header(headers, 'etag'));
  const sizeRaw = header(headers, 'x-linked-size') ?? header(headers, 'content-length');
  const sizeBytes = sizeRaw !== null && /^\d+$/.test(sizeRaw) ? Number(sizeRaw) : null;
  return {
    commit: header(headers, 'x-repo-commit'),
    etag,
    lfsSha256: linkedEtag !== null && SHA256_HEX.test(linkedEtag) ? linkedEtag : null,
    // A 302's own Content-Length is that of its empty body, not of the file.
    sizeBytes: linkedEtag !== null || statusCode < 300 ? sizeBytes : null,
    downloadUrl,
  };
}

/** GET the bytes into `partial`, resuming with Range after a cut; returns the sha256 of the whole file. */
async function fetchWithResume(
  req: HubFileRequest,
  info: RemoteInfo,
  partial: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const maxAttempts = req.maxAttempts ?? 5;
  const startedMs = performance.now();
  let lastError = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const have = (await stat(partial).catch(() => null))?.size ?? 0;
    try {
      const sha = await fetchOnce(req, info, partial, have, env);
      const elapsedS = (performance.now() - startedMs) / 1000;
      const size = (await stat(partial)).size;
      req.progress?.done();
      req.progress?.note(
        `downloaded ${req.file}: ${formatBytes(size)} in ${elapsedS.toFixed(1)} s (${formatBytes(size / Math.max(elapsedS, 1e-3))}/s)`,
      );
      return sha;
    } catch (err) {
      if (err instanceof BenchError) throw err;
      if (req.signal?.aborted) throw abortError();
      lastError = reasonOf(err);
      const nowHave = (await stat(partial).catch(() => null))?.size ?? 0;
      if (attempt < maxAttempts) {
        req.progress?.note(
          `download of ${req.file} broke at ${formatBytes(nowHave)} (${lastError}); resuming (attempt ${attempt + 1}/${maxAttempts})`,
        );
      }
    }
  }
  throw new BenchError(req.errorCode, `download of ${req.file} kept failing: ${lastError}`, {
    hint: `run again to resume from ${partial}, set HF_ENDPOINT to a mirror, or ${req.fallbackHint}`,
  });
}

async function fetchOnce(
  req: HubFileRequest,
  info: RemoteInfo,
  partial: string,
  have: number,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  let target = info.downloadUrl;
  let res: Awaited<ReturnType<typeof request>> | null = null;
  // The CDN may redirect again (signed URLs); follow a few hops by hand so the Range header stays.
  for (let hop = 0; hop < 5; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'inferencebench', ...authHeaders(target, env) };
    if (have > 0) headers.range = `bytes=${have}-`;
    res = await request(target, { method: 'GET', headers, signal: req.signal, headersTimeout: 30_000 });
    if (res.statusCode >= 300 && res.statusCode < 400) {
      const location = header(res.headers, 'location');
      await res.body.dump().catch(() => undefined);
      if (location === null) break;
      target = new URL(location, target).toString();
      continue;
    }
    break;
  }
  if (res === null) throw new Error('no response');
  const hash = createHash('sha256');
  let append = false;
  if (res.statusCode === 206 && have > 0) {
    const range = header(res.headers, 'content-range') ?? '';
    append = range.startsWith(`bytes ${have}-`);
    if (!append) {
      await res.body.dump().catch(() => undefined);
      await unlink(partial).catch(() => undefined);
      throw new Error(`unexpected Content-Range "${range}"`);
    }
    // The bytes already on disk go through the hash first, so the digest covers the whole file.
    for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
  } else if (res.statusCode === 416 && have > 0 && info.sizeBytes === have) {
    await res.body.dump().catch(() => undefined);
    return sha256File(partial);
  } else if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    if (res.statusCode === 416) {
      await unlink(partial).catch(() => undefined);
      throw new Error('the server refused the resume range; starting over');
    }
    throw new BenchError(req.errorCode, `HTTP ${res.statusCode} downloading ${req.file} from ${target}`, {
      hint: `try again later, or ${req.fallbackHint}`,
    });
  }
  const lengthRaw = header(res.headers, 'content-length');
  const total = info.sizeBytes ?? (lengthRaw !== null ? Number(lengthRaw) + (append ? have : 0) : undefined);
  let done = append ? have : 0;
  req.progress?.phase(`download ${req.file}${total !== undefined ? ` (${formatBytes(total)})` : ''}`, total);
  req.progress?.update(done, total);
  const fh = await open(partial, append ? 'a' : 'w');
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      hash.update(buf);
      await fh.write(buf);
      done += buf.length;
      req.progress?.update(done, total);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function gitBlobSha1(path: string, size: number): Promise<string> {
  const hash = createHash('sha1');
  hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function coldCacheError(req: HubFileRequest, url: string, path: string, reason: string): BenchError {
  return new BenchError(req.errorCode, `cannot download ${req.file} (${reason}): needed ${url}`, {
    hint: `set HF_ENDPOINT to a reachable hub mirror, copy the file to ${path}, or ${req.fallbackHint}`,
  });
}

function abortError(): BenchError {
  return new BenchError('BENCH_ERR_ABORTED', 'download interrupted');
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return code ?? cause ?? err.message;
  }
  return String(err);
}

/** `1.5 MB`, `650.3 MB`, `12 B` (decimal units, as the hub shows sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
