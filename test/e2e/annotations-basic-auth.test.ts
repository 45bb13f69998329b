// End to end: auth-type basic with auth-secret (auth-file and auth-map), auth-realm, the 401
// challenge ingress-nginx sends, the Authorization header withheld from the backend, Secret
// problems denying the route, cross-namespace Secrets and no-auth-locations.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

const A = 'nginx.ingress.kubernetes.io/';

function secret(ns: string, name: string, data: Record<string, string>): object {
  const b64: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) b64[k] = Buffer.from(v).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace: ns }, data: b64 };
}

function site(name: string, annotations: Record<string, string>, path = '/'): object {
  return ingress('app', name, [{ host: `${name}.test`, paths: [{ path, service: 'echo' }] }], { annotations });
}

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

interface Diag {
  object: { name: string };
  reason: string;
  field: string;
  message: string;
}

describe('basic authentication', () => {
  let echo: Backend;
  let dir: ManifestDir;
  let sluice: Sluice;
  let crossDir: ManifestDir;
  let cross: Sluice;

  before(async () => {
    echo = await startBackend('echo');
    const sha = `{SHA}${createHash('sha1').update('s3cret').digest('base64')}`;
    const bcryptHash = bcrypt.hashSync('slow-pass', 5);
    const objects = [
      ...backendObjects('app', 'echo', [echo.port]),
      secret('app', 'users', { auth: `# users\nalice:${sha}\nbob:${bcryptHash}\n` }),
      secret('app', 'map', { carol: `${sha}\n`, dave: bcryptHash }),
      secret('app', 'no-auth-key', { other: 'x' }),
      secret('other', 'users', { auth: `eve:${sha}\n` }),
      site('file', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'users', [`${A}auth-realm`]: 'test auth' }),
      site('map', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'map', [`${A}auth-secret-type`]: 'auth-map' }),
      site('no-type', { [`${A}auth-secret`]: 'users' }),
      site('missing', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'nope' }),
      site('no-key', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'no-auth-key' }),
      site('digest', { [`${A}auth-type`]: 'digest', [`${A}auth-secret`]: 'users' }),
      site('bad-realm', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'users', [`${A}auth-realm`]: 'quote"d' }),
      site('bad-type', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'users', [`${A}auth-secret-type`]: 'auth-list' }),
      site('cross', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'other/users' }),
      site('acme', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'users' }, '/.well-known/acme-challenge/token'),
      site('public', { [`${A}auth-type`]: 'basic', [`${A}auth-secret`]: 'users' }, '/public'),
      configMap('sluice', 'cfg', { 'no-auth-locations': '/.well-known/acme-challenge, /public' }),
    ];
    dir = new ManifestDir();
    dir.write('all.yaml', objects);
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg'] });
    crossDir = new ManifestDir();
    crossDir.write('all.yaml', objects);
    cross = await startSluice({ manifests: [crossDir.path], args: ['--configmap', 'sluice/cfg', '--allow-cross-namespace-secrets'] });
  });

  after(async () => {
    await sluice?.stop();
    await cross?.stop();
    await echo?.close();
    dir?.cleanup();
    crossDir?.cleanup();
  });

  test('no or wrong credentials: 401 with the realm challenge and nginx\'s page (ingress-nginx e2e auth)', async () => {
    const none = await request(sluice.httpPort, '/', { host: 'file.test' });
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="test auth"');
    assert.match(none.text, /401 Authorization Required/);
    const wrong = await request(sluice.httpPort, '/', { host: 'file.test', headers: { authorization: basic('alice', 'nope') } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Basic realm="test auth"');
    const unknown = await request(sluice.httpPort, '/', { host: 'file.test', headers: { authorization: basic('mallory', 's3cret') } });
    assert.equal(unknown.status, 401);
    const notBasic = await request(sluice.httpPort, '/', { host: 'file.test', headers: { authorization: 'Bearer abc' } });
    assert.equal(notBasic.status, 401);
    assert.equal(echo.seen.filter((s) => s.headers.host === 'file.test').length, 0);
  });

  test('valid credentials reach the backend without the Authorization header', async () => {
    const ok = await request(sluice.httpPort, '/x', { host: 'file.test', headers: { authorization: basic('alice', 's3cret') } });
    assert.equal(ok.status, 200);
    const seen = ok.json<{ headers: Record<string, string> }>().headers;
    assert.equal(seen.authorization, undefined);
    assert.equal(seen['x-real-ip'], '127.0.0.1');
    const head = await request(sluice.httpPort, '/x', { host: 'file.test', method: 'HEAD', headers: { authorization: basic('alice', 's3cret') } });
    assert.equal(head.status, 200);
  });

  test('a slow hash (bcrypt) is verified off the event loop, then served from the verification cache', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await request(sluice.httpPort, '/', { host: 'file.test', headers: { authorization: basic('bob', 'slow-pass') } });
      assert.equal(r.status, 200);
    }
    // Concurrent requests, right and wrong, each get their own answer.
    const rs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => request(sluice.httpPort, '/', { host: 'file.test', headers: { authorization: basic('bob', i % 2 ? 'slow-pass' : 'wrong') } })),
    );
    assert.deepEqual(
      rs.map((r) => r.status),
      [401, 200, 401, 200, 401, 200],
    );
  });

  test('auth-map: one key per user', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'map.test', headers: { authorization: basic('carol', 's3cret') } })).status, 200);
    assert.equal((await request(sluice.httpPort, '/', { host: 'map.test', headers: { authorization: basic('dave', 'slow-pass') } })).status, 200);
    const none = await request(sluice.httpPort, '/', { host: 'map.test' });
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm=""', 'no auth-realm: an empty realm, as ingress-nginx');
  });

  test('auth-secret without auth-type does nothing (as ingress-nginx)', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'no-type.test' })).status, 200);
  });

  test('Secret problems and invalid values deny the route (503) with an error naming them', async () => {
    for (const h of ['missing', 'no-key', 'digest', 'bad-realm', 'bad-type', 'cross']) {
      const r = await request(sluice.httpPort, '/', { host: `${h}.test` });
      assert.equal(r.status, 503, h);
    }
    const { diagnostics } = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: Diag[] };
    const of = (name: string): Diag => diagnostics.find((d) => d.object.name === name && d.reason !== 'IgnoredAnnotation')!;
    assert.equal(of('missing').reason, 'SecretNotFound');
    assert.match(of('missing').field, /auth-secret/);
    assert.equal(of('no-key').reason, 'SecretInvalid');
    assert.match(of('no-key').message, /no "auth" key/);
    assert.match(of('digest').message, /digest authentication is not supported/);
    assert.match(of('bad-realm').field, /auth-realm/);
    assert.match(of('bad-type').field, /auth-secret-type/);
    assert.equal(of('cross').reason, 'SecretForbidden');
    assert.match(of('cross').message, /--allow-cross-namespace-secrets/);
  });

  test('a Secret in another namespace works with --allow-cross-namespace-secrets', async () => {
    assert.equal((await request(cross.httpPort, '/', { host: 'cross.test', headers: { authorization: basic('eve', 's3cret') } })).status, 200);
    assert.equal((await request(cross.httpPort, '/', { host: 'cross.test' })).status, 401);
  });

  test('admin output never shows the Secret data', async () => {
    for (const path of ['/debug/routes', '/debug/explain?host=file.test&path=/']) {
      const body = (await sluice.admin(path)).body;
      assert.match(body, /\[redacted\]/, path);
      assert.doesNotMatch(body, /YWxpY2U|alice:/, path);
    }
  });

  test('no-auth-locations: Ingress paths under these prefixes skip authentication', async () => {
    assert.equal((await request(sluice.httpPort, '/.well-known/acme-challenge/token', { host: 'acme.test' })).status, 200);
    assert.equal((await request(sluice.httpPort, '/public/page', { host: 'public.test' })).status, 200);
  });
});
