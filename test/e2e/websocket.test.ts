// End to end: WebSocket and Server-Sent Events through sluice with no annotation. A real
// WebSocket echo server (npm ws) behind sluice, over plain HTTP and over TLS, keeps its
// connection across 50 route-table swaps and across a certificate rotation; the idle timeout
// follows proxy-read-timeout/proxy-send-timeout; SSE events are not buffered.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { backendObjects, ingress, tlsSecret } from '../helpers/objects.ts';
import { makeCa, makeCert, type Pem } from '../helpers/certs.ts';

const A = 'nginx.ingress.kubernetes.io/';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function open(url: string, host: string, ca?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { host }, ...(ca ? { ca, servername: host } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends and waits for the echo (the backend prefixes "echo:"). */
function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMsg = (d: Buffer): void => {
      ws.off('close', onClose);
      resolve(d.toString());
    };
    const onClose = (): void => {
      ws.off('message', onMsg);
      reject(new Error('closed while waiting for an echo'));
    };
    ws.once('message', onMsg);
    ws.once('close', onClose);
    ws.send(text);
  });
}

function peerFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('WebSocket and SSE', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let wss: WebSocketServer;
  let sse: http.Server;
  let ca: Pem;
  let certA: Pem;
  let certB: Pem;
  let wsPort = 0;
  let ssePort = 0;
  const sseRelease: { fn: (() => void) | null } = { fn: null };

  function objects(churn: number, cert: Pem): object[] {
    return [
      ...backendObjects('t', 'echo', [wsPort]),
      ...backendObjects('t', 'sse', [ssePort]),
      tlsSecret('t', 'wss-cert', cert.cert, cert.key),
      ingress('t', 'ws', [{ host: 'ws.test', paths: [{ path: '/', service: 'echo' }] }]),
      ingress('t', 'wss', [{ host: 'wss.test', paths: [{ path: '/', service: 'echo' }] }], { tls: [{ hosts: ['wss.test'], secretName: 'wss-cert' }] }),
      ingress('t', 'idle', [{ host: 'idle.test', paths: [{ path: '/', service: 'echo' }] }], { annotations: { [`${A}proxy-read-timeout`]: '1', [`${A}proxy-send-timeout`]: '1' } }),
      ingress('t', 'events', [{ host: 'sse.test', paths: [{ path: '/', service: 'sse' }] }]),
      // Rewritten on every swap: a different path each time, so every write is a new route table.
      ingress('t', 'churn', [{ host: 'churn.test', paths: [{ path: `/v${churn}`, service: 'echo' }] }]),
    ];
  }

  before(async () => {
    ca = await makeCa();
    certA = await makeCert(['wss.test'], { ca });
    certB = await makeCert(['wss.test'], { ca });
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo:${d.toString()}`)));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wsPort = (wss.address() as AddressInfo).port;
    sse = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      sseRelease.fn = () => res.end('data: two\n\n');
    });
    await new Promise<void>((r) => sse.listen(0, '127.0.0.1', r));
    ssePort = (sse.address() as AddressInfo).port;
    dir = new ManifestDir();
    dir.write('objects.yaml', objects(0, certA));
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    wss?.close();
    sse?.close();
    dir?.cleanup();
  });

  async function swap(churn: number, cert: Pem): Promise<void> {
    const from = sluice.logs.length;
    dir.write('objects.yaml', objects(churn, cert));
    await sluice.waitForLog((r) => r.msg === 'route table published', 5000, from);
  }

  test('plain HTTP: a WebSocket with no annotation echoes every message across 50 route-table swaps', async () => {
    const ws = await open(`ws://127.0.0.1:${sluice.httpPort}/chat`, 'ws.test');
    let closed = false;
    ws.on('close', () => (closed = true));
    let n = 0;
    for (let i = 1; i <= 50; i++) {
      const swapped = swap(i, certA);
      // Messages keep flowing while the table is rewritten.
      while (true) {
        assert.equal(await roundTrip(ws, `m${n}`), `echo:m${n}`);
        n++;
        const done = await Promise.race([swapped.then(() => true), sleep(5).then(() => false)]);
        if (done) break;
      }
      assert.equal(await roundTrip(ws, `after-${i}`), `echo:after-${i}`);
    }
    assert.equal(closed, false);
    assert.ok(n >= 50);
    // The last table really is live.
    const gen = await sluice.admin('/debug/routes');
    assert.match(gen.body, /\/v50/);
    ws.close();
  });

  test('TLS: a WebSocket keeps working across a certificate rotation; new handshakes see the new certificate', async () => {
    const before = await peerFingerprint(sluice.httpsPort, 'wss.test');
    const ws = await open(`wss://127.0.0.1:${sluice.httpsPort}/chat`, 'wss.test', ca.cert);
    let closed = false;
    ws.on('close', () => (closed = true));
    assert.equal(await roundTrip(ws, 'before'), 'echo:before');
    await swap(100, certB);
    let after = before;
    for (let i = 0; i < 20 && after === before; i++) {
      after = await peerFingerprint(sluice.httpsPort, 'wss.test');
      if (after === before) await sleep(50);
    }
    assert.notEqual(after, before, 'new handshakes get the rotated certificate');
    for (let i = 0; i < 10; i++) assert.equal(await roundTrip(ws, `after${i}`), `echo:after${i}`);
    assert.equal(closed, false);
    ws.close();
  });

  test('the idle timeout follows proxy-read-timeout / proxy-send-timeout: idle closes, busy stays', async () => {
    const busy = await open(`ws://127.0.0.1:${sluice.httpPort}/`, 'idle.test');
    const idle = await open(`ws://127.0.0.1:${sluice.httpPort}/`, 'idle.test');
    assert.equal(await roundTrip(idle, 'x'), 'echo:x');
    const idleClosed = new Promise<void>((r) => idle.once('close', () => r()));
    let busyClosed = false;
    busy.on('close', () => (busyClosed = true));
    // 3 s of traffic every 300 ms on one, silence on the other (timeout 1 s).
    for (let i = 0; i < 10; i++) {
      assert.equal(await roundTrip(busy, `b${i}`), `echo:b${i}`);
      await sleep(300);
    }
    await idleClosed;
    assert.equal(busyClosed, false);
    busy.close();
  });

  test('Server-Sent Events: the first event reaches the client before the pod sends the second', async () => {

    const got = await new Promise<{ first: string; rest: Promise<string> }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, path: '/events', headers: { host: 'sse.test', accept: 'text/event-stream' } }, (res) => {
        res.setEncoding('utf8');
        res.once('data', (first: string) => {
          let rest = '';
          res.on('data', (c: string) => (rest += c));
          resolve({ first, rest: new Promise((r) => res.on('end', () => r(rest))) });
        });
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(got.first, 'data: one\n\n');
    assert.ok(sseRelease.fn, 'the pod has not sent the second event yet');
    sseRelease.fn!();
    assert.equal(await got.rest, 'data: two\n\n');
  });
});
