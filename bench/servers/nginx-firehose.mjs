// Bench helper: Debian's nginx (one process, sendfile) serving a static 1000-event vLLM-shaped
// completions stream to every request, POST included, on a free port. `startNginx({ framing })` writes the
// stream and a config into a temporary directory, starts nginx pinned to `cpu` with taskset, and returns
// `{ url, stop }`. framing: 'compact' (what vLLM, SGLang and llama.cpp send) or 'spaced' (Python json.dumps).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Python's json.dumps defaults: ", " and ": " separators. */
function spacedJson(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(spacedJson).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${spacedJson(x)}`)
    .join(', ')}}`;
}

/** vLLM's completions stream (CompletionStreamResponse dumped with exclude_unset=False): n token events. */
export function completionStream(n, framing) {
  const dump = framing === 'spaced' ? spacedJson : JSON.stringify;
  const top = {
    id: 'cmpl-7f3d2c1b0a9e4d8c8b7a6f5e4d3c2b1a',
    object: 'text_completion',
    created: 1764547200,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
  };
  const choice = (text, finish) => ({
    index: 0,
    text,
    logprobs: null,
    finish_reason: finish,
    stop_reason: null,
    prompt_token_ids: null,
  });
  const parts = [];
  for (let i = 0; i < n; i++)
    parts.push(
      `data: ${dump({ ...top, choices: [choice(` tok${i % 100}`, i === n - 1 ? 'length' : null)], usage: null })}\n\n`,
    );
  parts.push(
    `data: ${dump({ ...top, choices: [], usage: { prompt_tokens: 5, total_tokens: 5 + n, completion_tokens: n } })}\n\n`,
  );
  parts.push('data: [DONE]\n\n');
  return parts.join('');
}

/** utime + stime of a process, seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s). */
export function processCpuS(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Idle CPU seconds of the whole machine so far (/proc/stat's idle + iowait), null without /proc. */
export function machineIdleS() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    return (Number(cpu[4]) + Number(cpu[5])) / 100;
  } catch {
    return null;
  }
}

export function nginxAvailable() {
  return spawnSync('nginx', ['-v']).status === 0;
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startNginx({ framing, events = 1000, cpu = 1 }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  writeFileSync(path.join(dir, 'stream.sse'), completionStream(events, framing));
  const port = await freePort();
  // master_process off: nginx is a single process (the one worker). A static file does not allow POST,
  // so the 405 is turned into an internal redirect that serves the file with 200.
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port} sndbuf=4m;
    root ${dir};
    default_type text/event-stream;
    error_page 405 =200 $uri;
    location / { try_files /stream.sse =404; }
  }
}
`,
  );
  const hasTaskset = spawnSync('taskset', ['-c', String(cpu), 'true']).status === 0;
  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf')];
  const proc = hasTaskset
    ? spawn('taskset', ['-c', String(cpu), 'nginx', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn('nginx', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  // Ready when it answers.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v1/models`)
      .then((r) => r.text().then(() => r.ok))
      .catch(() => false);
    if (ok) break;
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode} (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}/v1`,
    /** CPU seconds nginx has used so far (user + kernel, from /proc; null where there is no /proc). */
    cpuS: () => processCpuS(proc.pid),
    stop: async () => {
      proc.kill('SIGQUIT');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
