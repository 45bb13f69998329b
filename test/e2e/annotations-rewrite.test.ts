// End to end: use-regex, rewrite-target, x-forwarded-prefix and upstream-vhost through the real
// binary — what path and headers the backend sees, which Ingress answers once a host is in
// regex mode, and that Ingress regexes can never stall the proxy. Expectations follow
// ingress-nginx's e2e tests (test/e2e/annotations/rewrite.go, xforwardedprefix.go,
// upstreamvhost.go) and nginx's rewrite semantics.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { rawExchange, request } from '../helpers/client.ts';

const A = 'nginx.ingress.kubernetes.io/';

interface Echo {
  backend: string;
  url: string;
  headers: Record<string, string>;
}

describe('rewrite-target and use-regex end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  const be: Record<string, Backend> = {};

  before(async () => {
    for (const n of ['rewrite', 'plain', 'regex', 'other', 'fallback']) be[n] = await startBackend(n);
    dir = new ManifestDir();
    const objs: object[] = [];
    for (const n of Object.keys(be)) objs.push(...backendObjects('web', n, [be[n]!.port]));
    dir.write('backends.yaml', objs);
    const old = '2024-01-01T00:00:00Z';
    const young = '2025-01-01T00:00:00Z';
    dir.write('ingresses.yaml', [
      // The common idiom, plus a plain Ingress on the same host whose paths become regexes too.
      ingress('web', 'rewrite', [{ host: 'rw.test', paths: [{ path: '/foo(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'rewrite' }] }], {
        annotations: { [`${A}rewrite-target`]: '/$2', [`${A}x-forwarded-prefix`]: '/foo' },
        creationTimestamp: young,
      }),
      ingress('web', 'plain', [{ host: 'rw.test', paths: [{ path: '/api', pathType: 'Prefix', service: 'plain' }, { path: '/exact', pathType: 'Exact', service: 'plain' }] }], {
        creationTimestamp: old,
      }),
      // ingress-nginx e2e "should use ~* location modifier if regex annotation is present".
      ingress('web', 'mod-plain', [{ host: 'mod.test', paths: [{ path: '/foo', service: 'plain' }] }], { creationTimestamp: old }),
      ingress('web', 'mod-regex', [{ host: 'mod.test', paths: [{ path: '/foo.+', pathType: 'ImplementationSpecific', service: 'regex' }] }], {
        annotations: { [`${A}use-regex`]: 'true', [`${A}rewrite-target`]: '/new/backend' },
        creationTimestamp: young,
      }),
      // ingress-nginx e2e "should fail to use longest match for documented warning".
      ingress('web', 'trap-plain', [{ host: 'trap.test', paths: [{ path: '/foo/bar/bar', service: 'plain' }] }], { creationTimestamp: old }),
      ingress('web', 'trap-regex', [{ host: 'trap.test', paths: [{ path: '/foo/bar/[A-Z0-9]{3}', pathType: 'ImplementationSpecific', service: 'regex' }] }], {
        annotations: { [`${A}use-regex`]: 'true', [`${A}rewrite-target`]: '/new/backend' },
        creationTimestamp: young,
      }),
      // ingress-nginx e2e "should use correct longest path match": rewrite on "/" does not swallow a longer path.
      ingress('web', 'acme', [{ host: 'acme.test', paths: [{ path: '/.well-known/acme/challenge', service: 'plain' }] }], { creationTimestamp: old }),
      ingress('web', 'root-rewrite', [{ host: 'acme.test', paths: [{ path: '/', service: 'rewrite' }] }], {
        annotations: { [`${A}rewrite-target`]: '/new/backend' },
        creationTimestamp: young,
      }),
      // ingress-nginx e2e "should allow for custom rewrite parameters".
      ingress('web', 'params', [{ host: 'params.test', paths: [{ path: '/foo/bar/(.+)', pathType: 'ImplementationSpecific', service: 'rewrite' }] }], {
        annotations: { [`${A}use-regex`]: 'true', [`${A}rewrite-target`]: '/new/backend/$1' },
      }),
      // use-regex alone: regex matching, no rewrite; an Exact path of another Ingress is a regex prefix too.
      ingress('web', 'regex-only', [{ host: 'regex.test', paths: [{ path: '/v[0-9]+/items', pathType: 'ImplementationSpecific', service: 'regex' }] }], {
        annotations: { [`${A}use-regex`]: 'true' },
      }),
      ingress('web', 'regex-exact', [{ host: 'regex.test', paths: [{ path: '/status', pathType: 'Exact', service: 'plain' }] }]),
      // A pathological pattern, and one with a backreference that cannot run, beside a good path.
      ingress('web', 'redos', [{ host: 'redos.test', paths: [{ path: '/(a+)+$', pathType: 'ImplementationSpecific', service: 'regex' }] }], {
        annotations: { [`${A}use-regex`]: 'true' },
      }),
      ingress('web', 'backref', [{ host: 'backref.test', paths: [{ path: '/(a)\\1', pathType: 'ImplementationSpecific', service: 'regex' }, { path: '/good', pathType: 'Prefix', service: 'other' }] }], {
        annotations: { [`${A}use-regex`]: 'true' },
      }),
      // rewrite-target equal to the path: no rewrite for that location, but ingress-nginx's
      // normalised "/same/" location differs from the target, so the host is in regex mode.
      ingress('web', 'same', [{ host: 'same.test', paths: [{ path: '/same', service: 'rewrite' }] }], { annotations: { [`${A}rewrite-target`]: '/same' } }),
      // rewrite-target "/" on path "/": equal, so nothing changes and the host keeps spec matching.
      ingress('web', 'root-same', [{ host: 'rootsame.test', paths: [{ path: '/', service: 'rewrite' }] }], { annotations: { [`${A}rewrite-target`]: '/' } }),
      ingress('web', 'root-same-x', [{ host: 'rootsame.test', paths: [{ path: '/x', pathType: 'Prefix', service: 'other' }] }]),
      // The same target on a second path differs from that path: regex mode, and /x… is rewritten to "/".
      ingress('web', 'root-other', [{ host: 'rootother.test', paths: [{ path: '/', service: 'rewrite' }, { path: '/x', pathType: 'Prefix', service: 'other' }] }], {
        annotations: { [`${A}rewrite-target`]: '/' },
      }),
      // A host without any regex annotation keeps spec-exact Prefix matching.
      ingress('web', 'spec', [{ host: 'spec.test', paths: [{ path: '/foo', service: 'plain' }] }]),
      // x-forwarded-prefix without a rewrite: ingress-nginx sends nothing.
      ingress('web', 'xfp-only', [{ host: 'xfp.test', paths: [{ path: '/', service: 'plain' }] }], { annotations: { [`${A}x-forwarded-prefix`]: '/ignored' } }),
      // upstream-vhost, literal and with variables.
      ingress('web', 'vhost', [{ host: 'vhost.test', paths: [{ path: '/', service: 'plain' }] }], { annotations: { [`${A}upstream-vhost`]: 'internal.example:8080' } }),
      ingress('web', 'vhost-vars', [{ host: 'vhostvars.test', paths: [{ path: '/', service: 'plain' }] }], {
        annotations: { [`${A}upstream-vhost`]: '$service_name.$namespace.svc' },
      }),
      ingress('web', 'vhost-host', [{ host: 'vhosthost.test', paths: [{ path: '/', service: 'plain' }] }], { annotations: { [`${A}upstream-vhost`]: 'app.$host' } }),
      // Invalid values deny the Ingress's paths (503), never other Ingresses.
      ingress('web', 'bad-target', [{ host: 'bad1.test', paths: [{ path: '/a', service: 'rewrite' }] }], { annotations: { [`${A}rewrite-target`]: 'https://elsewhere/$1' } }),
      ingress('web', 'bad-regex-flag', [{ host: 'bad2.test', paths: [{ path: '/a', service: 'rewrite' }] }], { annotations: { [`${A}use-regex`]: 'yes' } }),
      ingress('web', 'bad-xfp', [{ host: 'bad3.test', paths: [{ path: '/a', service: 'rewrite' }] }], {
        annotations: { [`${A}rewrite-target`]: '/', [`${A}x-forwarded-prefix`]: '$host' },
      }),
      ingress('web', 'bad-vhost', [{ host: 'bad4.test', paths: [{ path: '/a', service: 'rewrite' }] }], { annotations: { [`${A}upstream-vhost`]: '$request_uri' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of Object.values(be)) await b.close();
    dir?.cleanup();
  });

  const get = async (host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; echo: Echo | null }> => {
    const r = await request(sluice.httpPort, path, { host, headers });
    return { status: r.status, echo: r.status === 200 ? r.json<Echo>() : null };
  };

  /** What the backend saw, from a raw request line (for targets node:http would normalise). */
  const raw = async (host: string, target: string): Promise<Echo> => {
    const out = await rawExchange(sluice.httpPort, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 200 /, out);
    return JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as Echo;
  };

  test('the /foo(/|$)(.*) → /$2 idiom: the backend sees the captured rest, query kept', async () => {
    let r = await get('rw.test', '/foo/bar/baz?x=1&y=2');
    assert.equal(r.echo?.backend, 'rewrite');
    assert.equal(r.echo?.url, '/bar/baz?x=1&y=2');
    r = await get('rw.test', '/foo');
    assert.equal(r.echo?.url, '/');
    r = await get('rw.test', '/foo/');
    assert.equal(r.echo?.url, '/');
    // ~* is case-insensitive; the captured text keeps its case.
    r = await get('rw.test', '/FOO/Bar');
    assert.equal(r.echo?.backend, 'rewrite');
    assert.equal(r.echo?.url, '/Bar');
  });

  test('rewrite works on the normalised URI and the result is re-escaped as nginx does', async () => {
    // %2F is decoded before matching, so it reaches the backend as "/"; space and "?" are re-escaped.
    assert.equal((await raw('rw.test', '/foo/a%2Fb%20c%3Fd')).url, '/a/b%20c%3Fd');
    // Non-ASCII bytes come back upper-case escaped; unreserved escapes come back decoded.
    assert.equal((await raw('rw.test', '/foo/caf%c3%a9/%7Euser')).url, '/caf%C3%A9/~user');
    // Merged slashes and dot segments are resolved before matching.
    assert.equal((await raw('rw.test', '/foo//x/./y/../z')).url, '/x/z');
    // An empty query string adds no "?".
    assert.equal((await raw('rw.test', '/foo/q?')).url, '/q');
  });

  test('x-forwarded-prefix is sent with the rewritten request only', async () => {
    const r = await get('rw.test', '/foo/bar');
    assert.equal(r.echo?.headers['x-forwarded-prefix'], '/foo');
    const plain = await get('xfp.test', '/x');
    assert.equal(plain.status, 200);
    assert.equal(plain.echo?.headers['x-forwarded-prefix'], undefined);
    assert.equal(plain.echo?.url, '/x');
  });

  test('another Ingress on a regex host: its Prefix and Exact paths become case-insensitive regex prefixes', async () => {
    let r = await get('rw.test', '/api/v1');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['plain', '/api/v1']);
    // ^/api also matches /apixyz (the Prefix loses its element boundary) and /API.
    r = await get('rw.test', '/apixyz');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['plain', '/apixyz']);
    r = await get('rw.test', '/API/v1');
    assert.equal(r.echo?.backend, 'plain');
    // Exact /exact is ^/exact in regex mode.
    r = await get('rw.test', '/exact/more');
    assert.equal(r.echo?.backend, 'plain');
    // /foobar matches neither pattern: the host's fallback (no default backend: 404).
    assert.equal((await get('rw.test', '/foobar')).status, 404);
    // A host without regex annotations keeps spec-exact Prefix matching.
    assert.equal((await get('spec.test', '/foo/x')).status, 200);
    assert.equal((await get('spec.test', '/foobar')).status, 404);
  });

  test('the ~* modifier: /foo of a plain Ingress and /foo.+ of a regex one (ingress-nginx e2e)', async () => {
    let r = await get('mod.test', '/foo');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['plain', '/foo']);
    r = await get('mod.test', '/foo/bar');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['regex', '/new/backend']);
  });

  test('regexes are tried longest first: /foo/bar/[A-Z0-9]{3} wins over the longer-looking /foo/bar/bar', async () => {
    const r = await get('trap.test', '/foo/bar/bar');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['regex', '/new/backend']);
    // A path the regex does not match still reaches the plain Ingress.
    const p = await get('trap.test', '/foo/bar/bar/x1');
    assert.equal(p.echo?.backend, 'regex');
    const q = await get('trap.test', '/foo/bar/ba');
    assert.equal(q.status, 404);
  });

  test('a rewrite on "/" does not capture a longer path of another Ingress (ingress-nginx e2e)', async () => {
    let r = await get('acme.test', '/.well-known/acme/challenge');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['plain', '/.well-known/acme/challenge']);
    r = await get('acme.test', '/anything/else?q=1');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['rewrite', '/new/backend?q=1']);
  });

  test('capture groups in the target (ingress-nginx e2e custom rewrite parameters)', async () => {
    const r = await get('params.test', '/foo/bar/bar');
    assert.equal(r.echo?.url, '/new/backend/bar');
  });

  test('use-regex without rewrite: regex matching, path unchanged; Exact of another Ingress is a regex prefix', async () => {
    let r = await get('regex.test', '/V12/items/7');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['regex', '/V12/items/7']);
    assert.equal((await get('regex.test', '/vx/items')).status, 404);
    r = await get('regex.test', '/status/deep');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['plain', '/status/deep']);
  });

  test('a catastrophic-backtracking pattern answers at once (linear-time engine)', async () => {
    const evil = '/' + 'a'.repeat(4000) + 'b';
    for (let i = 0; i < 5; i++) {
      const r = await request(sluice.httpPort, evil, { host: 'redos.test', timeoutMs: 10_000 });
      assert.equal(r.status, 404);
    }
    const ok = await get('redos.test', '/aaaa');
    assert.equal(ok.echo?.backend, 'regex');
  });

  test('a pattern that needs backtracking (backreference) is rejected with an error; the rest of the host works', async () => {
    assert.equal((await get('backref.test', '/good/x')).echo?.backend, 'other');
    // The rejected path is not routed at all.
    assert.equal((await get('backref.test', '/aa')).status, 404);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    const d = errors.diagnostics.find((x) => x.object.name === 'backref' && x.reason === 'InvalidPath');
    assert.ok(d, JSON.stringify(errors.diagnostics));
    assert.equal(d.field, 'spec.rules[0].http.paths[0].path');
    assert.match(d.message, /backreference/);
    assert.match(d.message, /path ignored/);
  });

  test('rewrite-target equal to the path: the exact location is untouched, the normalised "/same/" one is rewritten', async () => {
    let r = await get('same.test', '/same');
    assert.equal(r.echo?.url, '/same');
    r = await get('same.test', '/same/x?k=v');
    assert.equal(r.echo?.url, '/same?k=v');
    // ^/same also matches /samex in regex mode (exact copy location, no rewrite).
    r = await get('same.test', '/samex');
    assert.equal(r.echo?.url, '/samex');
  });

  test('rewrite-target "/" on path "/": nothing rewritten, spec matching kept', async () => {
    let r = await get('rootsame.test', '/a/b');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['rewrite', '/a/b']);
    r = await get('rootsame.test', '/x/y');
    assert.equal(r.echo?.backend, 'other');
    r = await get('rootsame.test', '/xy');
    assert.equal(r.echo?.backend, 'rewrite');
    r = await get('rootother.test', '/xy/z?q');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['other', '/?q']);
    r = await get('rootother.test', '/a/b');
    assert.deepEqual([r.echo?.backend, r.echo?.url], ['rewrite', '/a/b']);
  });

  test('upstream-vhost: the backend gets that Host, X-Forwarded-Host keeps the client\'s', async () => {
    let r = await get('vhost.test', '/');
    assert.equal(r.echo?.headers.host, 'internal.example:8080');
    assert.equal(r.echo?.headers['x-forwarded-host'], 'vhost.test');
    r = await get('vhostvars.test', '/');
    assert.equal(r.echo?.headers.host, 'plain.web.svc');
    r = await get('vhosthost.test', '/');
    assert.equal(r.echo?.headers.host, 'app.vhosthost.test');
  });

  test('invalid values deny only their own Ingress (503) and are reported', async () => {
    for (const h of ['bad1.test', 'bad2.test', 'bad3.test', 'bad4.test']) assert.equal((await get(h, '/a')).status, 503, h);
    assert.equal((await get('rw.test', '/foo/ok')).status, 200);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    const find = (name: string): string => errors.diagnostics.find((d) => d.object.name === name && d.reason === 'InvalidAnnotation')?.message ?? '';
    assert.match(find('bad-target'), /https:\/\/elsewhere\/\$1.*absolute URL/);
    assert.match(find('bad-regex-flag'), /"yes".*true or false/);
    assert.match(find('bad-xfp'), /\$host/);
    assert.match(find('bad-vhost'), /\$request_uri/);
    const field = errors.diagnostics.find((d) => d.object.name === 'bad-target')?.field;
    assert.equal(field, `metadata.annotations["${A}rewrite-target"]`);
  });
});
