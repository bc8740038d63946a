// The floor of any Node client on the trickle (bench:client --bare): `streams` keep-alive sockets that read
// through the same `onread` shared buffer as our raw transport, but do nothing with a read except take its
// time (and, once per response, parse the first token's server write time). No HTTP framing, SSE, JSON,
// records or promises per read: what is left is Node's own read path (epoll, read(2), the C++ -> JS
// callback) and the kernel's TCP work. If this reader cannot hold the TTFT error within 2 ms at a packet
// rate, no client written in Node can on that core.
import net from 'node:net';

const POST = (host) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}`;
const PIPE = 0x7c; // '|': each token's text is `|<absolute ms when the server wrote it>`
const END = [0x30, 0x0d, 0x0a, 0x0d, 0x0a]; // "0\r\n\r\n", the chunked body's end

/** Parses the number after the first '|' in buf[from, to), or NaN. */
function writtenAt(buf, from, to) {
  let i = buf.indexOf(PIPE, from);
  if (i < 0 || i >= to) return Number.NaN;
  let s = '';
  for (i++; i < to; i++) {
    const c = buf[i];
    if ((c < 0x30 || c > 0x39) && c !== 0x2e) break;
    s += String.fromCharCode(c);
  }
  return Number(s);
}

/**
 * Runs a warm-up request and then `rounds` measured ones on each of `streams` sockets (starts spread over
 * `staggerMs`, as bench:client's trickle does), returns the TTFT error (first token's read time minus its server
 * write time) per measured request, reads, and the process CPU used (warm-up included).
 */
export async function bareTrickle({ port, streams, rounds, staggerMs }) {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const origin = performance.timeOrigin;
  const errorsMs = [];
  let reads = 0;
  const sockets = [];
  await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise((resolve, reject) => {
          const state = { phase: 'idle', done: null, measured: false };
          const socket = net.connect({
            host: '127.0.0.1',
            port,
            noDelay: true,
            onread: {
              buffer,
              callback(n, buf) {
                const t = performance.now();
                reads++;
                if (state.phase === 'head') state.phase = 'first';
                else if (state.phase === 'first') {
                  // The headers went out when the request arrived, alone; the first token is the next read.
                  const w = writtenAt(buf, 0, n);
                  if (state.measured && !Number.isNaN(w)) errorsMs.push(origin + t - w);
                  state.phase = 'rest';
                }
                let end = n >= END.length;
                for (let k = 0; end && k < END.length; k++)
                  if (buf[n - END.length + k] !== END[k]) end = false;
                if (end) {
                  state.phase = 'idle';
                  state.done();
                }
              },
            },
          });
          socket.once('connect', () => resolve());
          socket.once('error', reject);
          sockets.push({ socket, state });
        }),
    ),
  );
  const send = (s, measured) =>
    new Promise((resolve) => {
      s.state.phase = 'head';
      s.state.measured = measured;
      s.state.done = resolve;
      s.socket.write(POST(`127.0.0.1:${port}`));
    });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  reads = 0;
  await Promise.all(
    sockets.map(async (s, i) => {
      if (staggerMs > 0) await new Promise((r) => setTimeout(r, (i * staggerMs) / streams));
      for (let k = 0; k <= rounds; k++) await send(s, k > 0);
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const s of sockets) s.socket.destroy();
  return { errorsMs, reads, elapsedS, cpuUserS: cpu.user / 1e6, cpuSystemS: cpu.system / 1e6 };
}
