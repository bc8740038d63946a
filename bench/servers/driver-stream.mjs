// Bench helper for the load driver: every POST streams 4 completion tokens 1 ms apart, then usage and
// [DONE]; with STALL=1 it sends one comment and holds the stream open forever (memory per in-flight
// request). Runs in its own process (pinned to its own core by the bench) so it never takes the driver's
// core. Prints `listening <port>` on stdout.
import http from 'node:http';

const stall = process.env.STALL === '1';
const token = 'data: {"choices":[{"index":0,"text":"x "}]}\n\n';
const tail = 'data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":4}}\n\ndata: [DONE]\n\n';

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.end('{"data":[]}');
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (stall) {
      res.write(': hold\n\n');
      return;
    }
    let i = 0;
    const tick = () => {
      res.write(token);
      if (++i < 4) setTimeout(tick, 1);
      else res.end(tail);
    };
    tick();
  });
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
