// End to end: malformed requests get a 4xx/5xx and never reach a backend; bad command lines exit
// with code 2 and a one-line message naming the flag.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startSluice, ManifestDir, BIN, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { rawExchange, request, statuses } from '../helpers/client.ts';

const CASES: [string, string, number][] = [
  ['CL and TE together', 'POST / HTTP/1.1\r\nHost: m.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: m.test\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nab', 400],
  ['non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: m.test\r\nContent-Length: +5\r\n\r\nhello', 400],
  ['unknown transfer coding', 'POST / HTTP/1.1\r\nHost: m.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 501],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: m.test\r\nX-A: 1\r\n  folded\r\n\r\n', 400],
  ['space before colon', 'GET / HTTP/1.1\r\nHost : m.test\r\n\r\n', 400],
  ['bare LF', 'GET / HTTP/1.1\nHost: m.test\r\n\r\n', 400],
  ['missing Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', 400],
  ['duplicate Host', 'GET / HTTP/1.1\r\nHost: m.test\r\nHost: other.test\r\n\r\n', 400],
  ['absolute-form disagreeing with Host', 'GET http://other.test/ HTTP/1.1\r\nHost: m.test\r\n\r\n', 400],
  ['bad HTTP version', 'GET / HTTP/2.7\r\nHost: m.test\r\n\r\n', 505],
  ['garbage request line', 'HELLO\r\nHost: m.test\r\n\r\n', 400],
  ['path above the root', 'GET /../etc/passwd HTTP/1.1\r\nHost: m.test\r\n\r\n', 400],
  ['control character in a header value', 'GET / HTTP/1.1\r\nHost: m.test\r\nX-A: a\x01b\r\n\r\n', 400],
  ['bad chunk size', 'POST / HTTP/1.1\r\nHost: m.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', 400],
  ['unsupported Expect', 'GET / HTTP/1.1\r\nHost: m.test\r\nExpect: magic\r\n\r\n', 417],
];

describe('malformed requests', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let be: Backend;

  before(async () => {
    be = await startBackend('m');
    dir = new ManifestDir();
    dir.write('o.yaml', [...backendObjects('m', 'm', [be.port]), ingress('m', 'm', [{ paths: [{ path: '/', service: 'm' }] }])]);
    sluice = await startSluice({ manifests: [dir.path] });
  });
  after(async () => {
    await sluice?.stop();
    await be?.close();
    dir?.cleanup();
  });

  for (const [name, raw, status] of CASES) {
    test(`${name} → ${status}, connection closed, backend untouched`, async () => {
      const before = be.seen.length;
      const out = await rawExchange(sluice.httpPort, raw);
      assert.deepEqual(statuses(out), [status], out);
      assert.match(out, /Connection: close/);
      assert.equal(be.seen.length, before);
    });
  }

  test('an oversized request line gets 414, oversized headers 431', async () => {
    assert.deepEqual(statuses(await rawExchange(sluice.httpPort, `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: m.test\r\n\r\n`)), [414]);
    assert.deepEqual(statuses(await rawExchange(sluice.httpPort, `GET / HTTP/1.1\r\nHost: m.test\r\n${'X-Big: ' + 'b'.repeat(7000) + '\r\n'}${'X-Big2: ' + 'b'.repeat(7000) + '\r\n'}${'X-Big3: ' + 'b'.repeat(7000) + '\r\n'}${'X-Big4: ' + 'b'.repeat(7000) + '\r\n'}${'X-Big5: ' + 'b'.repeat(7000) + '\r\n'}\r\n`)), [431]);
  });

  test('a request split into single bytes is still parsed', async () => {
    const net = await import('node:net');
    const out = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sluice.httpPort, '127.0.0.1');
      const req = 'GET /bytes HTTP/1.1\r\nHost: m.test\r\nConnection: close\r\n\r\n';
      let got = '';
      s.setEncoding('latin1');
      s.on('data', (d: string) => (got += d));
      s.on('end', () => resolve(got));
      s.on('error', reject);
      s.on('connect', async () => {
        for (const ch of req) {
          s.write(ch);
          await new Promise((r) => setTimeout(r, 1));
        }
      });
    });
    assert.deepEqual(statuses(out), [200]);
  });

  test('after all that, the process is healthy and still routes', async () => {
    assert.equal((await sluice.admin('/healthz')).status, 200);
    assert.equal((await request(sluice.httpPort, '/', { host: 'm.test' })).status, 200);
    assert.equal(sluice.proc.exitCode, null);
  });
});

describe('command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

  test('unknown flags and bad values: one line naming the flag, exit code 2', () => {
    for (const [args, flag] of [
      [['--bogus'], '--bogus'],
      [['--http-port', 'eighty'], '--http-port'],
      [['--http-port', '70000'], '--http-port'],
      [['--configmap', 'no-slash'], '--configmap'],
      [['--log-level', 'loud'], '--log-level'],
      [['--watch-ingress-without-class=maybe'], '--watch-ingress-without-class'],
      [['--manifests'], '--manifests'],
    ] as [string[], string][]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.ok(r.stderr.includes(flag), r.stderr);
    }
  });

  test('--help and --version', () => {
    const h = run('--help');
    assert.equal(h.status, 0);
    for (const f of ['--manifests', '--http-port', '--https-port', '--admin-port', '--bind-address', '--ingress-class', '--controller-class', '--watch-ingress-without-class', '--default-backend-service', '--configmap', '--log-level']) {
      assert.ok(h.stdout.includes(f), `help mentions ${f}`);
    }
    const v = run('--version');
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^sluice \d+\.\d+\.\d+/);
  });

  test('a manifest path that does not exist is a startup error, not a crash loop', () => {
    const r = run('--manifests', '/nonexistent/sluice', '--http-port', '0', '--admin-port', '0', '--workers', '1');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /cannot start/);
  });
});
