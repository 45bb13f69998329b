// End to end: graceful shutdown on SIGTERM. Readiness turns false, the listeners stop accepting,
// idle keep-alive and idle HTTP/2 connections close (GOAWAY), requests in flight (HTTP/1.1 and
// HTTP/2) finish, and the process exits 0; what is still open when --shutdown-grace-period ends
// (a WebSocket, a stuck request) is cut and the exit is still 0.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startSluice, ManifestDir } from '../helpers/sluice.ts';
import { startBackend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';
import { h2connect, h2request } from '../helpers/h2.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('graceful shutdown', () => {
  test('in-flight HTTP/1.1 and HTTP/2 requests finish, idle connections close, new ones are refused, exit 0', async () => {
    const slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.end('finished'), 1500);
    });
    const dir = new ManifestDir();
    dir.write('o.yaml', [...backendObjects('t', 'slow', [slow.port]), ingress('t', 'slow', [{ host: 'slow.test', paths: [{ service: 'slow' }] }])]);
    const s = await startSluice({ manifests: [dir.path], args: ['--enable-h2c', '--shutdown-grace-period', '10'] });
    try {
      // An idle keep-alive HTTP/1.1 connection.
      const idle = net.connect(s.httpPort, '127.0.0.1');
      await new Promise((r) => idle.once('connect', r));
      idle.write('GET /warm HTTP/1.1\r\nHost: slow.test\r\n\r\n');
      await new Promise((r) => idle.once('data', r));
      const idleClosed = new Promise<void>((r) => idle.once('close', () => r()));
      // An idle HTTP/2 connection, and one with a request in flight.
      const idleH2 = await h2connect(`http://127.0.0.1:${s.httpPort}`);
      const idleGoaway = new Promise<void>((r) => idleH2.once('goaway', () => r()));
      const busyH2 = await h2connect(`http://127.0.0.1:${s.httpPort}`);
      const h2Flight = h2request(busyH2, '/h2', { authority: 'slow.test' });
      const h1Flight = request(s.httpPort, '/h1', { host: 'slow.test' });
      await sleep(300);

      s.proc.kill('SIGTERM');
      await s.waitForLog((r) => String(r.msg).startsWith('shutting down'));
      assert.equal((await s.admin('/healthz')).status, 503, 'not ready while draining');
      assert.equal(await connectOutcome(s.httpPort), 'ECONNREFUSED');
      assert.equal(await connectOutcome(s.httpsPort), 'ECONNREFUSED');
      await idleClosed;
      await idleGoaway;

      const [h1, h2] = await Promise.all([h1Flight, h2Flight]);
      assert.equal(h1.status, 200);
      assert.equal(h1.text, 'finished');
      assert.equal(h2.status, 200);
      assert.equal(h2.text, 'finished');
      assert.equal(await s.exited, 0);
      await s.waitForLog((r) => r.msg === 'drained');
      idleH2.destroy();
      busyH2.destroy();
    } finally {
      await s.stop();
      await slow.close();
      dir.cleanup();
    }
  });

  test('a WebSocket and a stuck request are cut when the grace period ends; exit 0', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const stuck = await startBackend('stuck', () => {
      /* never answers */
    });
    const dir = new ManifestDir();
    dir.write('o.yaml', [
      ...backendObjects('t', 'ws', [(wss.address() as AddressInfo).port]),
      ...backendObjects('t', 'stuck', [stuck.port]),
      ingress('t', 'ws', [{ host: 'ws.test', paths: [{ service: 'ws' }] }]),
      ingress('t', 'stuck', [{ host: 'stuck.test', paths: [{ service: 'stuck' }] }]),
    ]);
    const s = await startSluice({ manifests: [dir.path], args: ['--shutdown-grace-period', '1'] });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.httpPort}/`, { headers: { host: 'ws.test' } });
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      const wsClosed = new Promise<void>((r) => ws.once('close', () => r()));
      const stuckReq = new Promise<string>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: s.httpPort, path: '/', headers: { host: 'stuck.test' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(`status ${res.statusCode}`));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        req.end();
      });
      await sleep(200);
      s.proc.kill('SIGTERM');
      // Still usable during the grace period.
      ws.send('during');
      assert.equal((await new Promise<Buffer>((r) => ws.once('message', r))).toString(), 'during');
      assert.equal(await s.exited, 0);
      await wsClosed;
      assert.match(await stuckReq, /ECONNRESET|socket hang up/);
      await s.waitForLog((r) => String(r.msg).startsWith('grace period over'));
    } finally {
      await s.stop();
      wss.close();
      await stuck.close();
      dir.cleanup();
    }
  });
});
