// End to end: use-proxy-protocol on the HTTP and HTTPS listeners — PROXY v1 and v2 headers
// before HTTP and before the TLS handshake, the client address and port they carry, and
// connections without a valid header closed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import http2 from 'node:http2';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress } from '../helpers/objects.ts';

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

function v2(cmd: number, fam: number, addr: number[]): Buffer {
  return Buffer.from([...SIG, 0x20 | cmd, fam, addr.length >> 8, addr.length & 255, ...addr]);
}
function v2inet(src: number[], dst: number[], sport: number, dport: number): Buffer {
  return v2(1, 0x11, [...src, ...dst, sport >> 8, sport & 255, dport >> 8, dport & 255]);
}

const REQUEST = 'GET /pp HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n';

/** Writes `chunks` one by one on a fresh socket and returns everything read until close. */
function exchange(port: number, chunks: (string | Buffer)[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(out)}`));
    }, timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (out += d));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.on('error', () => {});
    sock.on('connect', async () => {
      for (const c of chunks) {
        sock.write(c);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

function bodyHeaders(raw: string): Record<string, string> {
  assert.match(raw, /^HTTP\/1\.1 200 /, raw.slice(0, 200));
  const headEnd = raw.indexOf('\r\n\r\n');
  let body = raw.slice(headEnd + 4);
  if (/\r\ntransfer-encoding: chunked\r\n/i.test(raw.slice(0, headEnd + 2))) {
    let out = '';
    for (;;) {
      const nl = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, nl), 16);
      if (!(size > 0)) break;
      out += body.slice(nl + 2, nl + 2 + size);
      body = body.slice(nl + 4 + size);
    }
    body = out;
  }
  return (JSON.parse(body) as { headers: Record<string, string> }).headers;
}

/** PROXY header on the raw socket, then TLS, then one request. */
function tlsExchange(port: number, header: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = net.connect(port, '127.0.0.1', () => {
      raw.write(header);
      const t = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'app.test' }, () => t.write(REQUEST));
      let out = '';
      t.setEncoding('latin1');
      t.on('data', (d: string) => (out += d));
      t.on('end', () => resolve(out));
      t.on('error', reject);
    });
    raw.on('error', reject);
  });
}

describe('PROXY protocol', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;

  before(async () => {
    echo = await startBackend('echo');
    dir = new ManifestDir();
    dir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'echo' }] }]),
      ingress('app', 'secure', [{ host: 'secure.test', paths: [{ path: '/', service: 'echo' }] }], { annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } }),
      configMap('sluice', 'cfg', { 'use-proxy-protocol': 'true', 'proxy-protocol-header-timeout': '1s' }),
    ]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg'] });
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    dir?.cleanup();
  });

  test('v1 over HTTP: client address and port from the header (ingress-nginx e2e proxy_protocol)', async () => {
    const h = bodyHeaders(await exchange(sluice.httpPort, ['PROXY TCP4 192.168.0.1 192.168.0.11 56324 1234\r\n', REQUEST]));
    assert.equal(h['x-real-ip'], '192.168.0.1');
    assert.equal(h['x-forwarded-for'], '192.168.0.1');
    assert.equal(h['x-forwarded-port'], '1234');
    assert.equal(h['x-forwarded-proto'], 'http');
    await sluice.waitForLog((l) => l.type === 'access' && l.client === '192.168.0.1');
  });

  test('v1 header and request in one packet, and a header split byte by byte', async () => {
    const one = bodyHeaders(await exchange(sluice.httpPort, ['PROXY TCP6 2001:db8::7 2001:db8::1 5000 80\r\n' + REQUEST]));
    assert.equal(one['x-real-ip'], '2001:db8::7');
    const header = 'PROXY TCP4 10.9.8.7 10.0.0.1 1 80\r\n';
    const split = bodyHeaders(await exchange(sluice.httpPort, [...header.split(''), REQUEST]));
    assert.equal(split['x-real-ip'], '10.9.8.7');
  });

  test('v2 (binary) over HTTP; destination port 443 makes the scheme https (lua_ingress)', async () => {
    const h = bodyHeaders(await exchange(sluice.httpPort, [v2inet([203, 0, 113, 9], [10, 0, 0, 1], 40000, 8080), REQUEST]));
    assert.equal(h['x-real-ip'], '203.0.113.9');
    assert.equal(h['x-forwarded-port'], '8080');
    assert.equal(h['x-forwarded-proto'], 'http');
    const s = bodyHeaders(await exchange(sluice.httpPort, [v2inet([203, 0, 113, 10], [10, 0, 0, 1], 40000, 443), REQUEST]));
    assert.equal(s['x-forwarded-proto'], 'https');
    assert.equal(s['x-forwarded-port'], '443');
    // An IPv4-mapped source in an INET6 block is the IPv4 client.
    // The HTTPS redirect sees the scheme the balancer was reached with.
    const secure = 'GET / HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n';
    assert.match(await exchange(sluice.httpPort, [v2inet([203, 0, 113, 11], [10, 0, 0, 1], 40000, 80), secure]), /^HTTP\/1\.1 308 /);
    assert.match(await exchange(sluice.httpPort, [v2inet([203, 0, 113, 11], [10, 0, 0, 1], 40000, 443), secure]), /^HTTP\/1\.1 200 /);
    const mapped = [...Array(10).fill(0), 0xff, 0xff, 198, 51, 100, 7];
    const m = bodyHeaders(await exchange(sluice.httpPort, [v2(1, 0x21, [...mapped, ...Array(15).fill(0), 1, 0x9c, 0x40, 0x00, 0x50]), REQUEST]));
    assert.equal(m['x-real-ip'], '198.51.100.7');
  });

  test('v2 LOCAL (balancer health check) and v1 UNKNOWN: the connection peer is the client', async () => {
    assert.equal(bodyHeaders(await exchange(sluice.httpPort, [v2(0, 0x00, []), REQUEST]))['x-real-ip'], '127.0.0.1');
    assert.equal(bodyHeaders(await exchange(sluice.httpPort, ['PROXY UNKNOWN\r\n', REQUEST]))['x-real-ip'], '127.0.0.1');
  });

  test('v1 and v2 before the TLS handshake on the HTTPS listener', async () => {
    const h = bodyHeaders(await tlsExchange(sluice.httpsPort, 'PROXY TCP4 192.0.2.44 192.0.2.1 51000 443\r\n'));
    assert.equal(h['x-real-ip'], '192.0.2.44');
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h['x-forwarded-port'], '443');
    const h2 = bodyHeaders(await tlsExchange(sluice.httpsPort, v2inet([192, 0, 2, 45], [192, 0, 2, 1], 51001, 443)));
    assert.equal(h2['x-real-ip'], '192.0.2.45');
  });

  test('HTTP/2 over TLS: every stream of the connection gets the PROXY source as its client', async () => {
    const raw = await new Promise<net.Socket>((resolve, reject) => {
      const r = net.connect(sluice.httpsPort, '127.0.0.1', () => {
        r.write('PROXY TCP4 192.0.2.46 192.0.2.1 51002 443\r\n');
        resolve(r);
      });
      r.on('error', reject);
    });
    const session = http2.connect('https://app.test', {
      createConnection: () => tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'app.test', ALPNProtocols: ['h2'] }),
    });
    try {
      const get = (): Promise<Record<string, string>> =>
        new Promise((resolve, reject) => {
          const st = session.request({ ':path': '/h2', ':authority': 'app.test' });
          let body = '';
          st.setEncoding('utf8');
          st.on('data', (d: string) => (body += d));
          st.on('end', () => resolve((JSON.parse(body) as { headers: Record<string, string> }).headers));
          st.on('error', reject);
          st.end();
        });
      const [a, b] = await Promise.all([get(), get()]);
      for (const h of [a, b]) {
        assert.equal(h['x-real-ip'], '192.0.2.46');
        assert.equal(h['x-forwarded-proto'], 'https');
      }
    } finally {
      session.close();
    }
  });

  test('a connection without a valid header is closed without an answer', async () => {
    assert.equal(await exchange(sluice.httpPort, [REQUEST]), '');
    assert.equal(await exchange(sluice.httpPort, ['PROXY TCP4 1.2.3.4 5.6.7.8 99999 80\r\n', REQUEST]), '');
    assert.equal(await exchange(sluice.httpPort, [Buffer.from([...SIG, 0x21, 0x51, 0, 0]), REQUEST]), '');
    // Nothing at all: closed after proxy-protocol-header-timeout.
    assert.equal(await exchange(sluice.httpPort, []), '');
    // TLS without a header: the ClientHello is not a PROXY header.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const t = tls.connect({ port: sluice.httpsPort, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(t));
        t.on('error', reject);
        t.on('close', () => reject(new Error('closed')));
      }),
    );
  });
});
