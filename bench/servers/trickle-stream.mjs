// Bench helper: every POST gets its first token FIRST_MS after the request arrived, then one token every
// GAP_MS, each event written as its own packet. One 1 ms ticker serves all streams, on an absolute schedule
// (no drift). GET /stats returns how late the server itself wrote (p50/p99, ms) so the client's error can
// be told apart from the server's. Prints `listening <port>` on stdout.
import http from 'node:http';

const firstMs = Number(process.env.FIRST_MS ?? 100);
const gapMs = Number(process.env.GAP_MS ?? 10);
const tokens = Number(process.env.TOKENS ?? 100);
const head = '{"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m"';
// Each token's text is `|<absolute ms of the write>` so the client bench can compare with the truth.
const tokenPrefix = `data: ${head},"choices":[{"index":0,"delta":{"content":"|`;
const tokenSuffix = '"},"finish_reason":null}]}\n\n';
const tail = Buffer.from(
  `data: ${head},"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${tokens},"total_tokens":${tokens + 10}}}\n\ndata: [DONE]\n\n`,
);

/** Streams in flight: { res, startMs, sent }. */
const streams = new Set();
const latenessMs = [];

function tick() {
  const now = performance.now();
  for (const s of streams) {
    const due = s.startMs + firstMs + s.sent * gapMs;
    if (now < due) continue;
    // One write per token: each event leaves as its own packet (TCP_NODELAY is on in node:http).
    if (latenessMs.length < 2_000_000) latenessMs.push(now - due);
    s.res.write(`${tokenPrefix}${(performance.timeOrigin + performance.now()).toFixed(3)}${tokenSuffix}`);
    s.sent++;
    if (s.sent === tokens) {
      s.res.end(tail);
      streams.delete(s);
    }
  }
}
setInterval(tick, 1);

function percentile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    if (req.url === '/stats') {
      const sorted = Float64Array.from(latenessMs).sort();
      res.end(
        JSON.stringify({
          writes: sorted.length,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
        }),
      );
      latenessMs.length = 0;
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"object":"list","data":[]}');
    return;
  }
  req.resume();
  req.on('end', () => {
    const startMs = performance.now();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    streams.add({ res, startMs, sent: 0 });
  });
});
server.keepAliveTimeout = 600_000;
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
