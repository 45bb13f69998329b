// End to end: proxying behaviour — keep-alive on both sides, streaming, framing, limits, error
// statuses (413/502/503/504) and retries — through the real binary.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { repeat, startBackend, writeAll, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress, service } from '../helpers/objects.ts';
import { rawExchange, request, statuses } from '../helpers/client.ts';
import { closedPort } from '../helpers/ports.ts';

describe('proxying end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;
  let slow: Backend;
  let stream: Backend;
  let flaky: Backend;
  let good: Backend;
  let rude: net.Server;
  let ruderPort = 0;
  let deadPort = 0;

  before(async () => {
    echo = await startBackend('echo');
    slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end('late');
      }, 3000);
    });
    stream = await startBackend('stream', (req, res) => {
      if (req.url === '/stream/big') {
        // 8 MiB in 64 KiB chunks, chunked encoding.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        writeAll(res, repeat(Buffer.alloc(65536, 'x'), 128));
      } else if (req.url === '/stream/trickle') {
        // First part now, the rest only when the test says so (proves no response buffering).
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        trickleRelease = () => res.end('second');
      } else if (req.url === '/stream/head') {
        res.writeHead(200, { 'content-length': '12345' });
        res.end();
      } else if (req.url === '/stream/chunked-trailers') {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
        res.write('abc');
        res.addTrailers({ 'x-checksum': '42' });
        res.end();
      } else {
        res.end('ok');
      }
    });
    flaky = await startBackend('flaky');
    good = await startBackend('good');
    // Accepts and closes without answering (upstream fails before responding).
    rude = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    ruderPort = (rude.address() as net.AddressInfo).port;
    deadPort = await closedPort();

    dir = new ManifestDir();
    dir.write('objects.yaml', [
      ...backendObjects('t', 'echo', [echo.port]),
      ...backendObjects('t', 'slow', [slow.port]),
      ...backendObjects('t', 'stream', [stream.port]),
      ...backendObjects('t', 'dead', [deadPort]),
      ...backendObjects('t', 'rude', [ruderPort]),
      ...backendObjects('t', 'half-dead', [deadPort, good.port]),
      service('t', 'empty'),
      ingress('t', 'main', [
        {
          host: 'proxy.test',
          paths: [
            { path: '/', service: 'echo' },
            { path: '/slow', service: 'slow' },
            { path: '/stream', service: 'stream' },
            { path: '/dead', service: 'dead' },
            { path: '/rude', service: 'rude' },
            { path: '/half', service: 'half-dead' },
            { path: '/empty', service: 'empty' },
            { path: '/missing', service: 'no-such-service' },
            { path: '/badport', service: 'echo', port: 'nope' },
          ],
        },
      ]),
      configMap('sluice', 'cfg', { 'proxy-read-timeout': '1' }),
    ]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg'] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of [echo, slow, stream, flaky, good]) await b?.close();
    rude?.close();
    dir?.cleanup();
  });

  let trickleRelease: (() => void) | null = null;

  test('keep-alive: one client connection carries many requests, and upstream connections are reused', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = echo.connections;
    let clientSockets = 0;
    agent.on('free', () => {});
    const seenSockets = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, path: `/ka/${i}`, headers: { host: 'proxy.test' }, agent }, (res) => {
          if (!seenSockets.has(req.socket)) {
            seenSockets.add(req.socket);
            clientSockets++;
          }
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    }
    agent.destroy();
    assert.equal(clientSockets, 1, 'one client connection');
    const lifecycle = sluice.logs.filter((l) => /^upstream connection/.test(l.msg)).map((l) => JSON.stringify(l));
    assert.ok(echo.connections - before <= 1, `upstream connections opened: ${echo.connections - before}\n${lifecycle.join('\n')}`);
  });

  test('a large request body streams to the backend (proxy-body-size raised per ConfigMap... default 1m: 413)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const r = await request(sluice.httpPort, '/upload', { method: 'POST', host: 'proxy.test', body: big });
    assert.equal(r.status, 413);
    assert.match(r.text, /413/);
  });

  test('chunked request bodies over the limit get 413 too', async () => {
    const raw = await rawExchange(
      sluice.httpPort,
      'POST /up HTTP/1.1\r\nHost: proxy.test\r\nTransfer-Encoding: chunked\r\n\r\n' + `100000\r\n${'b'.repeat(0x100000)}\r\n` + `10\r\n${'c'.repeat(16)}\r\n0\r\n\r\n`,
    );
    assert.deepEqual(statuses(raw), [413]);
  });

  test('bodies within the limit arrive intact, Content-Length and chunked', async () => {
    const body = Buffer.alloc(900 * 1024, 'z');
    const r = await request(sluice.httpPort, '/upload', { method: 'POST', host: 'proxy.test', body });
    assert.equal(r.status, 200);
    assert.equal(r.json().bodyBytes, body.length);
    const raw = await rawExchange(sluice.httpPort, 'POST /c HTTP/1.1\r\nHost: proxy.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n');
    assert.deepEqual(statuses(raw), [200]);
    assert.match(raw, /"bodyBytes":11/);
  });

  test('a large response streams through (8 MiB, chunked)', async () => {
    const r = await request(sluice.httpPort, '/stream/big', { host: 'proxy.test' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 8 * 1024 * 1024);
    assert.equal(createHash('sha1').update(r.body).digest('hex'), createHash('sha1').update(Buffer.alloc(8 * 1024 * 1024, 'x')).digest('hex'));
  });

  test('responses are streamed, not buffered: the first bytes arrive before the backend finishes', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, path: '/stream/trickle', headers: { host: 'proxy.test' }, agent: false }, (res) => {
        res.setEncoding('utf8');
        let got = '';
        res.on('data', (d: string) => {
          got += d;
          if (got === 'first;') {
            resolve(got);
            trickleRelease?.();
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(first, 'first;');
  });

  test('chunked responses with trailers pass through verbatim', async () => {
    const raw = await rawExchange(sluice.httpPort, 'GET /stream/chunked-trailers HTTP/1.1\r\nHost: proxy.test\r\n\r\n');
    assert.match(raw, /Transfer-Encoding: chunked/i);
    assert.match(raw, /3\r\nabc\r\n0\r\nx-checksum: 42\r\n\r\n/i);
  });

  test('HTTP/1.0 clients get chunked responses decoded and the connection closed', async () => {
    const raw = await rawExchange(sluice.httpPort, 'GET /stream/chunked-trailers HTTP/1.0\r\nHost: proxy.test\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 200/);
    assert.doesNotMatch(raw, /Transfer-Encoding/i);
    assert.match(raw, /Connection: close/);
    assert.ok(raw.endsWith('\r\n\r\nabc'), JSON.stringify(raw.slice(-40)));
  });

  test('HEAD responses carry headers but no body', async () => {
    const raw = await rawExchange(sluice.httpPort, 'HEAD /stream/head HTTP/1.1\r\nHost: proxy.test\r\n\r\nGET /stream/x HTTP/1.1\r\nHost: proxy.test\r\n\r\n');
    assert.deepEqual(statuses(raw), [200, 200]);
    assert.match(raw, /content-length: 12345/i);
    assert.ok(raw.endsWith('ok'));
  });

  test('Expect: 100-continue gets an interim 100 before the body is sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, method: 'POST', path: '/e', headers: { host: 'proxy.test', expect: '100-continue', 'content-length': '5' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('continue', () => req.end('hello'));
      req.on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(echo.seen.at(-1)?.headers.expect, undefined);
    assert.equal(echo.seen.at(-1)?.bodyBytes, 5);
  });

  test('pipelined requests are answered in order', async () => {
    const raw = await rawExchange(sluice.httpPort, ['/p1', '/p2', '/nope-404'].map((p, i) => `GET ${p} HTTP/1.1\r\nHost: ${i === 2 ? 'unknown.test' : 'proxy.test'}\r\n\r\n`).join(''));
    assert.deepEqual(statuses(raw), [200, 200, 404]);
    assert.ok(raw.indexOf('/p1') < raw.indexOf('/p2'));
  });

  test('503 when the Service has no endpoints, or does not exist', async () => {
    assert.equal((await request(sluice.httpPort, '/empty', { host: 'proxy.test' })).status, 503);
    assert.equal((await request(sluice.httpPort, '/missing', { host: 'proxy.test' })).status, 503);
    assert.equal((await request(sluice.httpPort, '/badport', { host: 'proxy.test' })).status, 503);
  });

  test('502 when the upstream refuses the connection or closes before answering', async () => {
    const r1 = await request(sluice.httpPort, '/dead', { host: 'proxy.test' });
    assert.equal(r1.status, 502);
    const r2 = await request(sluice.httpPort, '/rude', { host: 'proxy.test' });
    assert.equal(r2.status, 502);
  });

  test('504 when the upstream does not answer within proxy-read-timeout', async () => {
    // The backend would answer 200 after 3 s; a 504 can only come from the 1 s read timeout.
    const r = await request(sluice.httpPort, '/slow', { host: 'proxy.test' });
    assert.equal(r.status, 504);
  });

  test('a failed connection is retried on another endpoint', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await request(sluice.httpPort, `/half/${i}`, { host: 'proxy.test' });
      assert.equal(r.status, 200, `request ${i}`);
      assert.equal(r.json().backend, 'good');
    }
  });

  test('the error pages are logged with the reason, and the process stays up', async () => {
    const rec = await sluice.waitForLog((r) => r.type === 'access' && r.status === 502);
    assert.ok(typeof rec.error === 'string' && rec.error.length > 0);
    assert.equal((await sluice.admin('/healthz')).status, 200);
  });
});
