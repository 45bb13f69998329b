// End to end: configuration changes on disk reach the data plane without a restart and without
// failing a single request under concurrent load; broken files never take routes down.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    v = await fn();
  }
  return v;
}

describe('live configuration changes', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let blue: Backend;
  let green: Backend;

  before(async () => {
    blue = await startBackend('blue');
    green = await startBackend('green');
    dir = new ManifestDir();
    dir.write('backends.yaml', [...backendObjects('app', 'blue', [blue.port]), ...backendObjects('app', 'green', [green.port])]);
    dir.write('ingress.yaml', [ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'blue' }] }])]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    await blue?.close();
    await green?.close();
    dir?.cleanup();
  });

  const who = async (host: string, path = '/'): Promise<string | number> => {
    const r = await request(sluice.httpPort, path, { host });
    return r.status === 200 ? (r.json().backend as string) : r.status;
  };

  test('editing a file switches routing without a restart', async () => {
    assert.equal(await who('app.test'), 'blue');
    dir.write('ingress.yaml', [ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'green' }] }])]);
    // The pick-up latency (≤ 1 s) is measured by the benchmark, not asserted here.
    assert.equal(await until(() => who('app.test'), (v) => v === 'green', 10_000), 'green');
  });

  test('zero failed requests while the table changes under concurrent load', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    let ok = 0;
    let failed = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        try {
          const r = await request(sluice.httpPort, '/load', { host: 'app.test', agent });
          if (r.status === 200) ok++;
          else {
            failed++;
            failures.push(`status ${r.status}`);
          }
        } catch (e) {
          failed++;
          failures.push((e as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // 20 table changes over ~3 s: alternate the backend, add and remove other hosts.
    for (let i = 0; i < 20; i++) {
      const svc = i % 2 === 0 ? 'blue' : 'green';
      const rules = [{ host: 'app.test', paths: [{ path: '/', service: svc }] }];
      for (let k = 0; k < i % 5; k++) rules.push({ host: `extra-${k}.test`, paths: [{ path: '/', service: 'blue' }] });
      dir.write('ingress.yaml', [ingress('app', 'web', rules)]);
      await new Promise((r) => setTimeout(r, 150));
    }
    running = false;
    await Promise.all(workers);
    agent.destroy();
    const published = sluice.logs.filter((l) => l.msg === 'route table published').length;
    assert.equal(failed, 0, `failures: ${failures.slice(0, 5).join('; ')}`);
    assert.ok(ok > 200, `requests served: ${ok}`);
    assert.ok(published >= 10, `tables published: ${published}`);
  });

  test('a file with broken YAML keeps its last good objects and the process keeps serving', async () => {
    dir.write('ingress.yaml', [ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'blue' }] }])]);
    await until(() => who('app.test'), (v) => v === 'blue');
    const from = sluice.logs.length;
    dir.write('ingress.yaml', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web\n  namespace: [app\n');
    const err = await sluice.waitForLog((r) => r.level === 'error' && typeof r.msg === 'string' && r.msg.includes('cannot load manifest file'), 5000, from);
    assert.match(String(err.file), /ingress\.yaml$/);
    assert.match(err.msg, /line \d+/);
    assert.equal(await who('app.test'), 'blue');
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { sources: { file: string }[] };
    assert.equal(errors.sources.length, 1);
    // Fixing the file clears the problem.
    dir.write('ingress.yaml', [ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'green' }] }])]);
    assert.equal(await until(() => who('app.test'), (v) => v === 'green'), 'green');
  });

  test('an invalid object is reported by name and the other objects of the file still apply', async () => {
    const from = sluice.logs.length;
    dir.write('ingress.yaml', [
      ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'blue' }] }]),
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'broken', namespace: 'app' }, spec: { rules: 'not-a-list' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bad-path', namespace: 'app' }, spec: { ingressClassName: 'sluice', rules: [{ host: 'bad.test', http: { paths: [{ path: 'no-slash', pathType: 'Prefix', backend: { service: { name: 'blue', port: { number: 80 } } } }, { path: '/ok', pathType: 'Prefix', backend: { service: { name: 'green', port: { number: 80 } } } }] } }] } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ignored' } },
    ]);
    const err = await sluice.waitForLog((r) => r.level === 'error' && typeof r.msg === 'string' && r.msg.includes('app/broken'), 5000, from);
    assert.match(err.msg, /spec\.rules/);
    assert.equal(await until(() => who('app.test'), (v) => v === 'blue'), 'blue');
    // The bad path is dropped; the good path of the same Ingress works.
    assert.equal(await until(() => who('bad.test', '/ok'), (v) => v === 'green'), 'green');
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; field: string; reason: string }[] };
    const d = errors.diagnostics.find((x) => x.object.name === 'bad-path');
    assert.equal(d?.reason, 'InvalidPath');
    assert.equal(d?.field, 'spec.rules[0].http.paths[0].path');
  });

  test('endpoint changes apply without a recompile of routes', async () => {
    const from = sluice.logs.length;
    dir.write('ingress.yaml', [ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'blue' }] }])]);
    // app.test already answers "blue": wait for this write's table (it drops the previous test's
    // Ingresses) so its publication is not counted as the endpoint change's.
    await sluice.waitForLog((r) => r.msg === 'route table published', 10_000, from);
    await until(() => who('app.test'), (v) => v === 'blue');
    const published = sluice.logs.filter((l) => l.msg === 'route table published').length;
    // Point the blue Service's endpoints at the green backend.
    dir.write('backends.yaml', [...backendObjects('app', 'blue', [green.port]), ...backendObjects('app', 'green', [green.port])]);
    assert.equal(await until(() => who('app.test'), (v) => v === 'green'), 'green');
    const after = sluice.logs.filter((l) => l.msg === 'route table published').length;
    assert.equal(after, published, 'no new route table for an endpoint-only change');
  });

  test('deleting a file removes its objects', async () => {
    dir.write('extra.yaml', [ingress('app', 'extra', [{ host: 'extra.test', paths: [{ path: '/', service: 'green' }] }])]);
    assert.equal(await until(() => who('extra.test'), (v) => v === 'green'), 'green');
    dir.remove('extra.yaml');
    assert.equal(await until(() => who('extra.test'), (v) => v === 404), 404);
  });
});
