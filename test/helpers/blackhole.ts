// An upstream that never completes a TCP handshake, for connect-timeout tests: a listening
// socket in a child process that blocks before accepting anything, its accept queue filled by a
// few connections; Linux then drops further SYNs, so a connect just waits. Loopback only.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

const CHILD = `
const net = require('node:net');
const s = net.createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(String(s.address().port) + '\\n');
  // Block the event loop for good: nothing is ever accepted.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

export async function startBlackhole(): Promise<Blackhole> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  // Fill the accept queue (backlog 1 holds two): wait for two handshakes, bounded.
  const fillers: net.Socket[] = [];
  let connected = 0;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 2000);
    for (let i = 0; i < 4; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      c.on('connect', () => {
        if (++connected === 2) {
          clearTimeout(t);
          resolve();
        }
      });
      fillers.push(c);
    }
  });
  return {
    port,
    close: async () => {
      for (const c of fillers) c.destroy();
      if (child.exitCode === null) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await gone;
      }
    },
  };
}
