// A raw `net` HTTP/1.1 server on 127.0.0.1, port 0, that answers with exactly the bytes a test scripts,
// packet by packet, so the raw transport's framing edge cases can be driven precisely.
import net from 'node:net';

export interface RawServer {
  baseUrl: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Request heads received so far (request line and headers), in order. */
  requests: string[];
  close(): Promise<void>;
}

/** What to send for one request: strings written one by one, a number waits that many ms; 'close' ends. */
export type Script = (string | number | 'close')[];

/**
 * Starts a server that reads keep-alive requests (Content-Length bodies) and answers the k-th request
 * (counted over all connections) with `script(k, head)`.
 */
export async function startRawServer(script: (k: number, head: string) => Script): Promise<RawServer> {
  let connections = 0;
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let busy = false;
    const serveNext = async (): Promise<void> => {
      if (busy) return;
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = pending.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      pending = pending.subarray(end + 4 + length);
      busy = true;
      const k = requests.length;
      requests.push(head);
      for (const step of script(k, head)) {
        if (socket.destroyed) return;
        if (step === 'close') {
          socket.destroy();
          return;
        }
        if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
        else socket.write(step, 'latin1');
      }
      busy = false;
      void serveNext();
    };
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      void serveNext();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One chunked-encoding frame around `data`. */
export function chunk(data: string): string {
  return `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
}

export const SSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n';
