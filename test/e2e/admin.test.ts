// End to end: the admin server — readiness, Prometheus metrics under ingress-nginx names, and
// the debug API (routes, explain, errors).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress, tlsSecret } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

describe('admin server', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let be: Backend;

  before(async () => {
    be = await startBackend('api');
    dir = new ManifestDir();
    dir.write('o.yaml', [
      ...backendObjects('prod', 'api', [be.port]),
      ingress('prod', 'api', [{ host: 'api.test', paths: [{ path: '/v1', service: 'api' }, { path: '/broken', service: 'missing' }] }]),
      tlsSecret('prod', 'fake', 'cert', 'SECRET-KEY-MATERIAL'),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });
  after(async () => {
    await sluice?.stop();
    await be?.close();
    dir?.cleanup();
  });

  test('/healthz is 200 once the first table is live', async () => {
    const r = await sluice.admin('/healthz');
    assert.equal(r.status, 200);
  });

  test('/metrics: request metrics with ingress-nginx names and labels; path is the Ingress path', async () => {
    for (let i = 0; i < 3; i++) await request(sluice.httpPort, `/v1/users/${i}?x=${i}`, { host: 'api.test' });
    const m = (await sluice.admin('/metrics')).body;
    const line = m.split('\n').find((l) => l.startsWith('nginx_ingress_controller_requests{') && l.includes('ingress="api"'));
    assert.ok(line, m.slice(0, 2000));
    for (const label of ['ingress="api"', 'namespace="prod"', 'service="api"', 'status="200"', 'method="GET"', 'path="/v1"', 'host="api.test"']) assert.ok(line.includes(label), `${label} in ${line}`);
    assert.match(line, / 3$/);
    assert.doesNotMatch(m, /users\/1/, 'the raw URI never becomes a label');
    for (const name of ['request_duration_seconds_bucket', 'request_size_bucket', 'response_size_bucket', 'response_duration_seconds_bucket', 'config_hash', 'config_last_reload_successful', 'config_last_reload_successful_timestamp_seconds', 'success']) {
      assert.ok(m.includes(`nginx_ingress_controller_${name}`), name);
    }
    assert.match(m, /nginx_ingress_controller_config_last_reload_successful\{[^}]*\} 1\n/);
  });

  test('/debug/routes shows the live table with private keys redacted', async () => {
    const r = JSON.parse((await sluice.admin('/debug/routes')).body) as { servers: { host: string }[]; generation: number };
    assert.ok(r.servers.some((s) => s.host === 'api.test'));
    assert.doesNotMatch(JSON.stringify(r), /SECRET-KEY-MATERIAL/);
  });

  test('/debug/explain names the Ingress, rule, path, Service, port and endpoints, and why', async () => {
    const e = JSON.parse((await sluice.admin('/debug/explain?host=API.test:8080&path=/v1/users?x=1&method=get')).body) as Record<string, any>;
    assert.equal(e.decision, 'route');
    assert.equal(e.route.ingress, 'api');
    assert.equal(e.route.namespace, 'prod');
    assert.equal(e.route.rule, 0);
    assert.equal(e.route.path, '/v1');
    assert.equal(e.service.name, 'api');
    assert.equal(e.service.port, '80');
    assert.equal(e.backend.endpoints[0].port, be.port);
    assert.equal(e.request.method, 'GET');
    assert.match(e.outcome, /proxied/);
    assert.ok(e.why.some((w: string) => /Prefix "\/v1" matches element-wise/.test(w)), e.why.join('\n'));
    const miss = JSON.parse((await sluice.admin('/debug/explain?host=nope.test&path=/')).body) as Record<string, any>;
    assert.match(miss.outcome, /^404/);
    const broken = JSON.parse((await sluice.admin('/debug/explain?host=api.test&path=/broken')).body) as Record<string, any>;
    assert.match(broken.outcome, /^503/);
  });

  test('/debug/errors lists per-object problems with field and reason', async () => {
    const r = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string }[] };
    const d = r.diagnostics.find((x) => x.object.name === 'api' && x.reason === 'ServiceNotFound');
    assert.ok(d);
    assert.equal(d.field, 'spec.rules[0].http.paths[1].backend.service');
  });

  test('the dashboard renders', async () => {
    const r = await sluice.admin('/');
    assert.equal(r.status, 200);
    assert.match(r.body, /prod\/api/);
  });

  test('SIGTERM: readiness drops and the process exits 0', async () => {
    const code = await sluice.stop('SIGTERM');
    assert.equal(code, 0);
    assert.ok(sluice.logs.some((l) => l.msg === 'drained' || /grace period/.test(l.msg)));
  });
});
