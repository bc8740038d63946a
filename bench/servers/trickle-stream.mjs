// Bench helper: every POST gets its first token FIRST_MS after the request arrived, then one token every
// GAP_MS, each event written as its own packet. Prints `listening <port>` on stdout.
//
// Built to keep up with ~100k packets/s on one core, so the client, not this server, is what the bench
// measures: a raw `net` server (node:http costs ~10 µs per res.write), pre-formatted HTTP/1.1 chunked
// frames written as latin1 strings, TCP_NODELAY and no cork, so each token leaves in its own segment.
// One timer wheel of SLOT_MS slots serves all streams on an absolute schedule (no drift); while streams are
// in flight it polls with setImmediate (a timer would add up to a millisecond of lateness per tick), which
// lets socket I/O run between polls. The server is meant to own its pinned core.
//
// Each token's text is `|<absolute ms when this process wrote it>` so the client bench compares its
// timestamps with the truth. GET /stats returns how late the server wrote against the nominal schedule
// (p50/p99, ms) and how many writes it made, then resets.
import net from 'node:net';

const firstMs = Number(process.env.FIRST_MS ?? 100);
const gapMs = Number(process.env.GAP_MS ?? 10);
const tokens = Number(process.env.TOKENS ?? 100);
const SLOT_MS = 0.125;
// The wheel covers the longest wait (first token or gap) plus 2 s, so a server that falls behind by less
// keeps every stream in its own lap (a wrapped one is put back, see poll); a power of two for masking.
let wheelSize = 1;
while (wheelSize * SLOT_MS < Math.max(firstMs, gapMs) + 2000) wheelSize *= 2;
const wheelMask = wheelSize - 1;
const wheel = Array.from({ length: wheelSize }, () => []);

const head = '{"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m"';
const tokenPrefix = `data: ${head},"choices":[{"index":0,"delta":{"content":"|`;
const tokenSuffix = '"},"finish_reason":null}]}\n\n';
const tailEvents = `data: ${head},"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${tokens},"total_tokens":${tokens + 10}}}\n\ndata: [DONE]\n\n`;
// The usage event, [DONE] and the last-chunk marker in one write: they carry no token timing.
const tail = `${tailEvents.length.toString(16)}\r\n${tailEvents}\r\n0\r\n\r\n`;
const sseHeaders =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n';
const origin = performance.timeOrigin;

// Lateness of each token write against its nominal time, ms (bounded so a long run cannot grow forever).
const lateness = new Float64Array(4_000_000);
let latenessN = 0;
let writes = 0;
let active = 0;
let cursor = -1; // next wheel slot (absolute slot number) to serve
let polling = false;
// An empty bucket to swap in while a slot is served.
let spare = [];

function slotOf(ms) {
  return Math.floor(ms / SLOT_MS);
}

function schedule(s) {
  let slot = slotOf(s.dueMs);
  if (cursor < 0) cursor = slot;
  // Already overdue (the server fell behind): serve it with the next slot rather than a wheel turn later.
  else if (slot < cursor) slot = cursor;
  wheel[slot & wheelMask].push(s);
}

function writeToken(s, now) {
  if (latenessN < lateness.length) lateness[latenessN++] = now - s.dueMs;
  writes++;
  const ts = (origin + performance.now()).toFixed(3);
  const event = `${tokenPrefix}${ts}${tokenSuffix}`;
  s.socket.write(`${event.length.toString(16)}\r\n${event}\r\n`, 'latin1');
  s.sent++;
  if (s.sent === tokens) {
    s.socket.write(tail, 'latin1');
    active--;
    return;
  }
  s.dueMs += gapMs;
  schedule(s);
}

/** Serves every slot whose end has passed: a token is written at most SLOT_MS after its due time. */
function poll() {
  polling = false;
  const now = performance.now();
  const last = slotOf(now) - 1;
  while (cursor >= 0 && cursor <= last && active > 0) {
    const index = cursor & wheelMask;
    const bucket = wheel[index];
    cursor++;
    if (bucket.length === 0) continue;
    // The bucket is swapped out first: a stream due a lap or more later (the server fell further behind
    // than the wheel spans, so its slot wrapped around) goes back into the wheel, never written early, and
    // may land in this same slot.
    wheel[index] = spare;
    for (let i = 0; i < bucket.length; i++) {
      const s = bucket[i];
      if (s.socket.destroyed) {
        active--;
        continue;
      }
      if (s.dueMs > now) schedule(s);
      else writeToken(s, now);
    }
    bucket.length = 0;
    spare = bucket;
  }
  if (active > 0) {
    polling = true;
    setImmediate(poll);
  } else cursor = -1;
}

function startStream(socket, arrivedMs) {
  socket.write(sseHeaders, 'latin1');
  active++;
  schedule({ socket, dueMs: arrivedMs + firstMs, sent: 0 });
  if (!polling) {
    polling = true;
    setImmediate(poll);
  }
}

function statsBody() {
  const sorted = lateness.slice(0, latenessN).sort();
  const pct = (q) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
  const body = JSON.stringify({ writes, minMs: pct(0), p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: pct(1) });
  latenessN = 0;
  writes = 0;
  return body;
}

function respondJson(socket, body) {
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`,
    'latin1',
  );
}

// Minimal HTTP/1.1 request reader: enough for undici's keep-alive POSTs with content-length and for GETs.
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.setNoDelay(true);
  let pending = '';
  socket.on('data', (chunk) => {
    const arrivedMs = performance.now();
    pending += chunk.toString('latin1');
    for (;;) {
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const headText = pending.slice(0, headEnd);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
      const bodyLen = m ? Number(m[1]) : 0;
      if (pending.length < headEnd + 4 + bodyLen) return;
      pending = pending.slice(headEnd + 4 + bodyLen);
      if (headText.startsWith('POST ')) startStream(socket, arrivedMs);
      else if (headText.startsWith('GET /stats ')) respondJson(socket, statsBody());
      else respondJson(socket, '{"object":"list","data":[]}');
    }
  });
  socket.on('error', () => {});
});
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
// A clean exit on the bench's kill, so `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
