#!/usr/bin/env node
import { main } from './cli/main.js';

/**
 * Resolves once everything written to `stream` so far has been handed to the OS. On a pipe, Node queues
 * what the reader has not taken yet, and process.exit() drops that queue (output cut at 64 KiB).
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  // Writes complete in order, so an empty write's callback runs after every earlier one has finished.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

// A reader that goes away early (`bench runs show ID --format json | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });

const code = await main(process.argv.slice(2));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
// Exit explicitly: plugins may leave handles (sockets, child watchers) open after the run is stored.
process.exit(code);
