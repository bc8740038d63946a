// Bench helper: answers every POST with the same pre-built 1000-event SSE completion, written in one go,
// so the client, not the server, is the bottleneck. Prints `listening <port>` on stdout.
import http from 'node:http';

const events = Number(process.env.EVENTS ?? 1000);

/** A vLLM-shaped chat stream: role delta, `events` content chunks, finish chunk, usage chunk, [DONE]. */
function buildStream(n) {
  const head =
    '{"id":"chatcmpl-0123456789abcdef","object":"chat.completion.chunk","created":1700000000,"model":"meta-llama/Llama-3.1-8B-Instruct"';
  const parts = [
    `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`,
  ];
  for (let i = 0; i < n; i++) {
    parts.push(
      `data: ${head},"choices":[{"index":0,"delta":{"content":" tok${i % 100}"},"logprobs":null,"finish_reason":null}]}\n\n`,
    );
  }
  parts.push(
    `data: ${head},"choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"length"}]}\n\n`,
  );
  parts.push(
    `data: ${head},"choices":[],"usage":{"prompt_tokens":10,"total_tokens":${10 + n},"completion_tokens":${n}}}\n\n`,
  );
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''));
}

const body = buildStream(events);
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"object":"list","data":[]}');
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 600_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
