// Each fault, seen through the real client: injected failures, stalls, dropped and ended
// watches, the server going down and coming back on the same port, and a clean close.

import { makeInformer, Watch } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, test } from 'node:test';
import { clientsFor, rejection } from './client-helpers.ts';
import { startFakeApiServer, type FakeApiServer } from './server.ts';
import { waitFor } from './wait.ts';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup() {
  const api = await startFakeApiServer();
  servers.push(api);
  return { api, ...clientsFor(api) };
}

/** Resolves true if a TCP connection to the port is accepted, false if refused. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test('failNext(n, status) fails exactly the next n matching requests with a Status body', async () => {
  const { api, core, net } = await setup();
  api.faults.failNext(2);
  for (let i = 0; i < 2; i++) {
    const r = await rejection(core.listNamespacedService({ namespace: 'default' }));
    assert.equal(r.code, 500);
    assert.equal(r.status?.reason, 'InternalError');
  }
  await core.listNamespacedService({ namespace: 'default' });

  api.faults.failNext(1, 429, { resource: 'ingresses', verb: 'list' });
  await core.listNamespacedService({ namespace: 'default' }); // does not match the filter
  const limited = await rejection(net.listNamespacedIngress({ namespace: 'default' }));
  assert.equal(limited.code, 429);
  assert.equal(limited.status?.details?.retryAfterSeconds, 1);
  await net.listNamespacedIngress({ namespace: 'default' });
  assert.equal(api.requests.filter((r) => r.fault === 'failNext').length, 3);

  api.faults.failNext(1, 503, { verb: 'watch' });
  const watchErr = await new Promise<any>((resolve) => {
    void new Watch(clientsFor(api).kc).watch('/api/v1/services', {}, () => {}, resolve);
  });
  assert.equal(watchErr?.statusCode, 503, 'Watch reports the HTTP status of a refused watch');
  assert.throws(() => api.faults.failNext(0), /positive/);
  assert.throws(() => api.faults.failNext(1, 200), /4xx or 5xx/);
});

test('stall(ms) holds matching requests for that long, then serves them', async () => {
  const { api, core } = await setup();
  api.faults.stall(400, { resource: 'configmaps' });
  const t0 = Date.now();
  const [stalled, free] = await Promise.all([
    core.listNamespacedConfigMap({ namespace: 'default' }).then(() => Date.now() - t0),
    core.listNamespacedSecret({ namespace: 'default' }).then(() => Date.now() - t0),
  ]);
  assert.ok(stalled >= 350, `stalled request answered after ${stalled} ms`);
  assert.ok(free < 350, `unmatched request answered after ${free} ms`);
  const t1 = Date.now();
  await core.listNamespacedConfigMap({ namespace: 'default' });
  assert.ok(Date.now() - t1 < 350, 'the stall is over');
  assert.equal(api.requests.filter((r) => r.fault === 'stall').length, 1);
});

test('a stalled request is released (connection cut) when the server goes down', async () => {
  const { api, core } = await setup();
  api.faults.stall(60_000);
  const pending = core.listNamespacedConfigMap({ namespace: 'default' });
  await waitFor(() => api.count({ verb: 'list' }) === 1);
  const t0 = Date.now();
  await api.faults.down();
  await assert.rejects(pending);
  assert.ok(Date.now() - t0 < 2000);
  api.faults.reset();
  await api.faults.up();
  await core.listNamespacedConfigMap({ namespace: 'default' });
});

test('dropWatches and endWatches act on matching watches and report how many', async () => {
  const { api, kc } = await setup();
  const results: { path: string; err: unknown }[] = [];
  const open = async (path: string) => {
    const ctl = await new Watch(kc).watch(path, { resourceVersion: api.resourceVersion }, () => {}, (err) => results.push({ path, err }));
    return ctl;
  };
  const ctls = [await open('/api/v1/namespaces/default/services'), await open('/api/v1/namespaces/default/secrets'), await open('/api/v1/namespaces/default/configmaps')];
  await waitFor(() => api.openWatches() === 3);
  assert.equal(api.faults.dropWatches({ resource: 'services' }), 1);
  assert.equal(api.faults.endWatches({ resource: 'secrets' }), 1);
  await waitFor(() => results.length === 2);
  const dropped = results.find((r) => r.path.endsWith('services'))!;
  const ended = results.find((r) => r.path.endsWith('secrets'))!;
  assert.ok(dropped.err instanceof Error, 'a dropped watch ends with an error');
  assert.equal(ended.err, null, 'an ended watch ends cleanly');
  assert.equal(api.openWatches(), 1);
  assert.equal(api.faults.dropWatches(), 1);
  assert.equal(api.faults.dropWatches(), 0);
  for (const c of ctls) c.abort();
});

test('down() refuses connections on the port; up() serves again on the same port with the same data', async () => {
  const { api, core } = await setup();
  const port = api.port;
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'survives' } } });
  await api.faults.down();
  assert.equal(await canConnect(port), false);
  await assert.rejects(core.listNamespacedConfigMap({ namespace: 'default' }), (e: Error & { cause?: { code?: string } }) => {
    assert.equal(e.cause?.code, 'ECONNREFUSED');
    return true;
  });
  await api.faults.up();
  assert.equal(api.port, port);
  const list = await core.listNamespacedConfigMap({ namespace: 'default' });
  assert.deepEqual(list.items.map((i) => i.metadata?.name), ['survives']);
});

test('an informer across down()/up(): error, then a restart resumes where it was', async () => {
  const { api, core, kc } = await setup();
  const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const names: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (o) => names.push(String(o.metadata?.name)));
  informer.on('error', (e) => errors.push(e));
  try {
    await informer.start();
    await waitFor(() => api.openWatches() === 1);
    await api.faults.down();
    await waitFor(() => errors.length === 1);
    api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-outage', namespace: 'default' } });
    await api.faults.up();
    await informer.start();
    await waitFor(() => names.includes('during-outage'));
    assert.equal(api.count({ verb: 'list' }), 1);
  } finally {
    await informer.stop();
  }
});

test('close() ends watches, connections and the listener, and is idempotent', async () => {
  const api = await startFakeApiServer();
  const { kc } = clientsFor(api);
  let ended: unknown = 'not yet';
  await new Watch(kc).watch('/api/v1/services', {}, () => {}, (err) => (ended = err));
  await waitFor(() => api.openWatches() === 1);
  const path = await api.writeKubeconfig();
  assert.match(readFileSync(path, 'utf8'), /certificate-authority-data/);
  await api.close();
  await api.close();
  assert.equal(api.openWatches(), 0);
  await waitFor(() => ended !== 'not yet');
  assert.equal(await canConnect(api.port), false);
  assert.equal(existsSync(path), false, 'temp kubeconfig removed');
  await assert.rejects(api.faults.up(), /closed/);
});
