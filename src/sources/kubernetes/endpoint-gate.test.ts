import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingress, service, slice } from '../../../test/helpers/objects.ts';
import { createLogger } from '../../log/logger.ts';
import type { KubeObject } from '../../model/k8s.ts';
import { normalizeObject } from '../../store/normalize.ts';
import { Store } from '../../store/store.ts';
import { EndpointGate } from './endpoint-gate.ts';

const log = createLogger('silent');
const obj = (o: object): KubeObject => {
  const r = normalizeObject(o);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.object;
};
const ing = (svc: string, path = '/') => obj(ingress('ns', 'web', [{ host: 'a.test', paths: [{ path, service: svc }] }]));

function setup(maxHoldMs = 60_000) {
  const store = new Store();
  const gate = new EndpointGate(store, (o) => store.upsert(o), log, maxHoldMs);
  gate.activate();
  return { store, gate };
}

test('before activation everything passes through', () => {
  const store = new Store();
  const gate = new EndpointGate(store, (o) => store.upsert(o), log);
  gate.upsert(ing('missing'));
  assert.ok(store.get('Ingress', 'ns/web'));
});

test('a new Ingress waits for its Service\'s EndpointSlices, then is published', () => {
  const { store, gate } = setup();
  gate.upsert(ing('app'));
  assert.equal(store.get('Ingress', 'ns/web'), undefined);
  assert.equal(gate.heldCount, 1);
  store.upsert(obj(service('ns', 'app')));
  assert.equal(store.get('Ingress', 'ns/web'), undefined, 'a Service alone is not enough');
  store.upsert(obj(slice('ns', 'app', 'http', 8080, ['10.0.0.1'])));
  assert.ok(store.get('Ingress', 'ns/web'));
  assert.equal(gate.heldCount, 0);
  gate.stop();
});

test('the newest held version is published; a delete drops the hold', () => {
  const { store, gate } = setup();
  gate.upsert(ing('app', '/v1'));
  gate.upsert(ing('app', '/v2'));
  store.upsert(obj(slice('ns', 'app', 'http', 8080, ['10.0.0.1'])));
  const published = store.get('Ingress', 'ns/web') as { spec: { rules: { http: { paths: { path: string }[] } }[] } };
  assert.equal(published.spec.rules[0]!.http.paths[0]!.path, '/v2');
  gate.upsert(obj(ingress('ns', 'other', [{ paths: [{ service: 'nope' }] }])));
  gate.forget('Ingress', 'ns/other');
  assert.equal(gate.heldCount, 0);
  gate.stop();
});

test('Services with known endpoints, ExternalName Services and references the stored version had are not waited for', () => {
  const { store, gate } = setup();
  store.upsert(obj(slice('ns', 'app', 'http', 8080, ['10.0.0.1'])));
  gate.upsert(ing('app'));
  assert.ok(store.get('Ingress', 'ns/web'), 'endpoints known');
  store.upsert(obj(service('ns', 'ext', [{ port: 80 }], { type: 'ExternalName', externalName: 'example.com' })));
  gate.upsert(ing('ext'));
  assert.equal((store.get('Ingress', 'ns/web') as { spec: { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] } }).spec.rules[0]!.http.paths[0]!.backend.service.name, 'ext');
  // Edit an Ingress whose (missing) Service the stored version already named: no wait.
  store.upsert(ing('missing'));
  gate.upsert(ing('missing', '/other'));
  assert.equal(gate.heldCount, 0);
  gate.stop();
});

test('the hold is bounded', async () => {
  const { store, gate } = setup(50);
  gate.upsert(ing('never'));
  assert.equal(store.get('Ingress', 'ns/web'), undefined);
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(store.get('Ingress', 'ns/web'), 'published after maxHoldMs');
  gate.stop();
});
