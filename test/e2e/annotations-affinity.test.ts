// End to end: affinity: cookie and session-cookie-* through the real binary, against
// ingress-nginx's balancer/sticky*.lua and test/e2e/annotations/affinity*.go: the cookie format
// and attributes, balanced vs persistent when endpoints are added and removed (EndpointSlices
// edited live), change-on-failure, and cookies that mean the same in two sluice processes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request, type Reply } from '../helpers/client.ts';
import { HashRing } from '../../src/dataplane/affinity/ring.ts';
import { closedPort } from '../helpers/ports.ts';

const P = 'nginx.ingress.kubernetes.io/';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
/** The second half of every cookie value: md5(md5(name) .. name) of ingress-nginx's upstream name. */
const backendKey = (upstream: string): string => md5(md5(upstream) + upstream);

function setCookies(r: Reply): string[] {
  const v = r.headers['set-cookie'];
  return v === undefined ? [] : v;
}

/** "NAME=value" of the last Set-Cookie for `name` (the one a browser keeps). */
function cookieOf(r: Reply, name = 'INGRESSCOOKIE'): string | null {
  const all = setCookies(r).filter((c) => c.startsWith(`${name}=`));
  return all.length === 0 ? null : all.at(-1)!.split(';')[0]!;
}

async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function httpsGet(port: number, host: string, path: string): Promise<{ status: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername: host, headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('session affinity annotations end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let b1: Backend;
  let b2: Backend;
  let b3: Backend;
  let good: Backend;
  let deadPort = 0;

  const pool = (backends: Backend[]): object[] => backendObjects('web', 'pool', backends.map((b) => b.port));
  const who = (r: Reply): string => (r.status === 200 ? String(r.headers['x-backend']) : `status ${r.status}`);

  before(async () => {
    b1 = await startBackend('b1');
    b2 = await startBackend('b2');
    b3 = await startBackend('b3');
    good = await startBackend('good');
    deadPort = await closedPort();
    dir = new ManifestDir();
    dir.write('pool.yaml', pool([b1, b2]));
    const single = (name: string, host: string, annotations: Record<string, string>, service = 'pool', path = '/', extra: Parameters<typeof ingress>[3] = {}): object =>
      ingress('web', name, [{ host, paths: [{ path, service }] }], { annotations, ...extra });
    dir.write('ingresses.yaml', [
      ...backendObjects('web', 'flaky', [deadPort, good.port]),
      single('balanced', 'balanced.test', { [`${P}affinity`]: 'cookie' }),
      single('balanced-other', 'balanced.test', {}, 'pool', '/other'),
      single('persistent', 'persistent.test', { [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'persistent' }),
      single('plain', 'plain.test', {}),
      single('attrs', 'attrs.test', {
        [`${P}affinity`]: 'cookie',
        [`${P}session-cookie-name`]: 'SERVERID',
        [`${P}session-cookie-expires`]: '172800',
        [`${P}session-cookie-max-age`]: '259200',
        [`${P}session-cookie-domain`]: 'attrs.test',
        [`${P}session-cookie-samesite`]: 'None',
        [`${P}session-cookie-conditional-samesite-none`]: 'true',
        [`${P}session-cookie-secure`]: 'true',
        [`${P}session-cookie-partitioned`]: 'true',
      }, 'pool', '/app'),
      single('lax', 'lax.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-samesite`]: 'lax', [`${P}session-cookie-path`]: '/custom' }),
      single('secure', 'secure.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-secure`]: 'false' }, 'pool', '/', { tls: [{ hosts: ['secure.test'] }] }),
      single('failover', 'failover.test', { [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'persistent', [`${P}session-cookie-change-on-failure`]: 'true' }, 'flaky'),
      single('nofailover', 'nofailover.test', { [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'persistent' }, 'flaky'),
      single('failover-bal', 'failover-bal.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-change-on-failure`]: 'true' }, 'flaky'),
      single('bad-type', 'bad-type.test', { [`${P}affinity`]: 'ip_hash' }),
      single('bad-mode', 'bad-mode.test', { [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'sticky' }),
      single('bad-samesite', 'bad-samesite.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-samesite`]: 'Sometimes' }),
      single('bad-expires', 'bad-expires.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-expires`]: '2d' }),
      single('bad-name', 'bad-name.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-name`]: 'my cookie' }),
      single('bad-path', 'bad-path.test', { [`${P}affinity`]: 'cookie', [`${P}session-cookie-path`]: 'no-slash' }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of [b1, b2, b3, good]) await b?.close();
    dir?.cleanup();
  });

  test('a new session gets INGRESSCOOKIE=<key>|<backend key>; Path=<Ingress path>; HttpOnly, and then sticks with no further cookie', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'persistent.test' });
    assert.equal(r.status, 200);
    const sc = setCookies(r);
    assert.equal(sc.length, 1);
    const m = /^INGRESSCOOKIE=([0-9a-f]{32})\|([0-9a-f]{32}); Path=\/; HttpOnly$/.exec(sc[0]!);
    assert.ok(m, sc[0]);
    assert.equal(m[2], backendKey('web-pool-80'));
    // Persistent: the key is md5(upstream name .. "ip:port") of the endpoint that answered.
    const port = who(r) === 'b1' ? b1.port : b2.port;
    assert.equal(m[1], md5(`web-pool-80127.0.0.1:${port}`));
    const cookie = cookieOf(r)!;
    for (let i = 0; i < 10; i++) {
      const again = await request(sluice.httpPort, `/${i}`, { host: 'persistent.test', headers: { cookie: `other=1; ${cookie}; more=2` } });
      assert.equal(who(again), who(r));
      assert.deepEqual(setCookies(again), [], 'no new cookie while the endpoint lives');
    }
    // Balanced: a fresh key, the same backend key.
    const b = await request(sluice.httpPort, '/', { host: 'balanced.test' });
    assert.match(setCookies(b)[0]!, /^INGRESSCOOKIE=[^|;]+\|[0-9a-f]{32}; Path=\/; HttpOnly$/);
  });

  test('without a valid cookie, new sessions are spread over the endpoints', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(who(await request(sluice.httpPort, '/', { host: 'balanced.test', headers: { cookie: 'INGRESSCOOKIE=' } })));
    assert.deepEqual([...seen].sort(), ['b1', 'b2']);
    // An unknown persistent key is replaced.
    const r = await request(sluice.httpPort, '/', { host: 'persistent.test', headers: { cookie: 'INGRESSCOOKIE=0123456789abcdef0123456789abcdef|x' } });
    assert.equal(r.status, 200);
    assert.ok(cookieOf(r));
  });

  test('cookie attributes: name, Expires, Max-Age, Domain, Path from the Ingress path, Secure, HttpOnly, SameSite, Partitioned', async () => {
    const r = await request(sluice.httpPort, '/app/x', { host: 'attrs.test', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' } });
    assert.equal(r.status, 200);
    const sc = setCookies(r)[0]!;
    const m = /^SERVERID=[^;]+; Expires=(\w{3}, \d{2}-\w{3}-\d{2} \d{2}:\d{2}:\d{2} GMT); Max-Age=259200; Domain=attrs\.test; Path=\/app; Secure; HttpOnly; SameSite=None; Partitioned$/.exec(sc);
    assert.ok(m, sc);
    // nginx's cookie date ("Mon, 02-Jan-06 15:04:05 GMT"), now + 48 h.
    const [, , dd, mon, yy, time] = /^(\w{3}), (\d{2})-(\w{3})-(\d{2}) ([\d:]+) GMT$/.exec(m[1]!)!;
    const expires = Date.parse(`${dd} ${mon} 20${yy} ${time} GMT`);
    assert.ok(Math.abs(expires - (Date.now() + 172800_000)) < 120_000, m[1]);
    // Browsers that mishandle SameSite=None do not get it (ingress-nginx util/same_site.lua).
    for (const ua of [
      'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15',
    ]) {
      const old = await request(sluice.httpPort, '/app', { host: 'attrs.test', headers: { 'user-agent': ua } });
      const c = setCookies(old)[0]!;
      assert.doesNotMatch(c, /SameSite/, ua);
      assert.match(c, /; Secure; HttpOnly; Partitioned$/, ua);
    }
    // SameSite is written in its canonical case; an explicit path wins over the Ingress path.
    const lax = await request(sluice.httpPort, '/', { host: 'lax.test' });
    assert.match(setCookies(lax)[0]!, /; Path=\/custom; HttpOnly; SameSite=Lax$/);
  });

  test('Secure is set over HTTPS even with session-cookie-secure "false", and not over HTTP', async () => {
    const s = await httpsGet(sluice.httpsPort, 'secure.test', '/');
    assert.equal(s.status, 200);
    assert.match(s.setCookie[0]!, /; Path=\/; Secure; HttpOnly$/);
    // Over plain HTTP the TLS host redirects; the plain-HTTP case is the default Ingress above.
    const plain = await request(sluice.httpPort, '/', { host: 'balanced.test' });
    assert.doesNotMatch(setCookies(plain)[0]!, /Secure/);
  });

  test('only the Ingress with the annotation is sticky: another Ingress on the same host sets no cookie', async () => {
    const r = await request(sluice.httpPort, '/other', { host: 'balanced.test' });
    assert.equal(r.status, 200);
    assert.deepEqual(setCookies(r), []);
    const p = await request(sluice.httpPort, '/', { host: 'plain.test' });
    assert.deepEqual(setCookies(p), []);
  });

  test('a second sluice process on the same manifests routes the same cookies to the same endpoints', async () => {
    const sessions: { host: string; cookie: string; backend: string }[] = [];
    for (const host of ['balanced.test', 'persistent.test']) {
      for (let i = 0; i < 8; i++) {
        const r = await request(sluice.httpPort, '/', { host });
        sessions.push({ host, cookie: cookieOf(r)!, backend: who(r) });
      }
    }
    const other = await startSluice({ manifests: [dir.path] });
    try {
      for (const s of sessions) {
        const r = await request(other.httpPort, '/', { host: s.host, headers: { cookie: s.cookie } });
        assert.equal(who(r), s.backend, `${s.host} ${s.cookie}`);
        assert.deepEqual(setCookies(r), []);
      }
    } finally {
      await other.stop();
    }
  });

  test('endpoints added: balanced moves some sessions to the new endpoint (never between old ones), persistent moves none', async () => {
    const sessions: { host: string; cookie: string; backend: string }[] = [];
    for (const host of ['balanced.test', 'persistent.test']) {
      for (let i = 0; i < 40; i++) {
        const r = await request(sluice.httpPort, '/', { host });
        sessions.push({ host, cookie: cookieOf(r)!, backend: who(r) });
      }
    }
    dir.write('pool.yaml', pool([b1, b2, b3]));
    await until(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(who(await request(sluice.httpPort, '/', { host: 'plain.test' })));
      return seen.has('b3');
    }, 'the third endpoint');
    const moved = { 'balanced.test': 0, 'persistent.test': 0 } as Record<string, number>;
    for (const s of sessions) {
      const r = await request(sluice.httpPort, '/', { host: s.host, headers: { cookie: s.cookie } });
      const now = who(r);
      assert.deepEqual(setCookies(r), [], `${s.host}: the cookie stays valid`);
      if (now !== s.backend) {
        assert.equal(now, 'b3', `${s.host}: a session may only move to the new endpoint`);
        moved[s.host]!++;
      }
    }
    assert.ok(moved['balanced.test']! > 0, 'balanced rebalances some sessions');
    assert.ok(moved['balanced.test']! < 40, 'balanced keeps most sessions');
    assert.equal(moved['persistent.test'], 0, 'persistent keeps every session');
  });

  test("endpoint removed: persistent picks another endpoint and resets the cookie; balanced remaps the key, no new cookie", async () => {
    const sessions: { host: string; cookie: string }[] = [];
    for (const host of ['balanced.test', 'persistent.test']) {
      // Sessions on b1 specifically.
      for (let i = 0; i < 30 && sessions.filter((s) => s.host === host).length < 3; i++) {
        const r = await request(sluice.httpPort, '/', { host });
        if (who(r) === 'b1') sessions.push({ host, cookie: cookieOf(r)! });
      }
      assert.equal(sessions.filter((s) => s.host === host).length, 3, `${host}: sessions on b1`);
    }
    dir.write('pool.yaml', pool([b2, b3]));
    await until(async () => {
      for (let i = 0; i < 4; i++) if (who(await request(sluice.httpPort, '/', { host: 'plain.test' })) === 'b1') return false;
      return true;
    }, 'b1 to leave the endpoints');
    for (const s of sessions) {
      const r = await request(sluice.httpPort, '/', { host: s.host, headers: { cookie: s.cookie } });
      assert.ok(['b2', 'b3'].includes(who(r)), who(r));
      if (s.host === 'balanced.test') {
        assert.deepEqual(setCookies(r), [], 'balanced: the key still maps to a live endpoint');
      } else {
        const fresh = cookieOf(r);
        assert.ok(fresh && fresh !== s.cookie, 'persistent: a new cookie for the new endpoint');
        const port = who(r) === 'b2' ? b2.port : b3.port;
        assert.equal(fresh, `INGRESSCOOKIE=${md5(`web-pool-80127.0.0.1:${port}`)}|${backendKey('web-pool-80')}`);
        const again = await request(sluice.httpPort, '/', { host: s.host, headers: { cookie: fresh } });
        assert.equal(who(again), who(r));
        assert.deepEqual(setCookies(again), []);
      }
    }
    dir.write('pool.yaml', pool([b1, b2]));
  });

  test('the cookie endpoint fails: change-on-failure moves the session and the cookie; without it retries stay there (502)', async () => {
    const upstream = 'web-flaky-80';
    const deadCookie = `INGRESSCOOKIE=${md5(`${upstream}127.0.0.1:${deadPort}`)}|${backendKey(upstream)}`;
    const goodKey = md5(`${upstream}127.0.0.1:${good.port}`);
    const before = good.seen.length;
    const stay = await request(sluice.httpPort, '/', { host: 'nofailover.test', headers: { cookie: deadCookie } });
    assert.equal(stay.status, 502);
    assert.deepEqual(setCookies(stay), []);
    assert.equal(good.seen.length, before, 'retries went to the cookie endpoint only');

    const moved = await request(sluice.httpPort, '/', { host: 'failover.test', headers: { cookie: deadCookie } });
    assert.equal(who(moved), 'good');
    assert.equal(cookieOf(moved), `INGRESSCOOKIE=${goodKey}|${backendKey(upstream)}`);

    // Balanced: a key the ring puts on the dead endpoint (the ring is built like resty.chash).
    const eps = [deadPort, good.port].sort((a, b) => a - b).map((p) => `127.0.0.1:${p}`);
    const ring = new HashRing(eps);
    let key = '';
    for (let i = 0; key === ''; i++) if (eps[ring.find(`k${i}`)] === `127.0.0.1:${deadPort}`) key = `k${i}`;
    const bal = await request(sluice.httpPort, '/', { host: 'failover-bal.test', headers: { cookie: `INGRESSCOOKIE=${key}|${backendKey(upstream)}` } });
    assert.equal(who(bal), 'good');
    const fresh = cookieOf(bal)!;
    const freshKey = fresh.slice('INGRESSCOOKIE='.length).split('|')[0]!;
    assert.equal(eps[ring.find(freshKey)], `127.0.0.1:${good.port}`, 'the new key maps to the endpoint that answered');
    const again = await request(sluice.httpPort, '/', { host: 'failover-bal.test', headers: { cookie: fresh } });
    assert.equal(who(again), 'good');
    assert.deepEqual(setCookies(again), []);
  });

  test('invalid values deny the Ingress with an InvalidAnnotation naming the key', async () => {
    const cases: [string, string][] = [
      ['bad-type', 'affinity'],
      ['bad-mode', 'affinity-mode'],
      ['bad-samesite', 'session-cookie-samesite'],
      ['bad-expires', 'session-cookie-expires'],
      ['bad-name', 'session-cookie-name'],
      ['bad-path', 'session-cookie-path'],
    ];
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string }[] };
    for (const [name, key] of cases) {
      const r = await request(sluice.httpPort, '/', { host: `${name}.test` });
      assert.equal(r.status, 503, name);
      assert.deepEqual(setCookies(r), [], name);
      assert.ok(
        errors.diagnostics.some((d) => d.object.name === name && d.reason === 'InvalidAnnotation' && d.field === `metadata.annotations["${P}${key}"]`),
        `${name}: diagnostic for ${key}`,
      );
    }
  });
});
