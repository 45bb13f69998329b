import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findByKind } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, type KubeObj } from './selectors.ts';
import { ApiError } from './status.ts';

const labelled = (labels: Record<string, string>): KubeObj => ({ metadata: { name: 'x', labels } });

test('label selector: equality, inequality, existence', () => {
  const a = labelled({ app: 'web', tier: 'front' });
  const b = labelled({ app: 'api' });
  const none = labelled({});
  const m = (sel: string, o: KubeObj) => parseLabelSelector(sel)(o);
  assert.equal(m('app=web', a), true);
  assert.equal(m('app==web', a), true);
  assert.equal(m('app=web', b), false);
  assert.equal(m('app!=web', b), true);
  assert.equal(m('app!=web', none), true, '!= matches objects without the key');
  assert.equal(m('tier', a), true);
  assert.equal(m('tier', b), false);
  assert.equal(m('!tier', b), true);
  assert.equal(m('!tier', a), false);
  assert.equal(m('app=web,tier=front', a), true);
  assert.equal(m('app=web,tier=back', a), false);
  assert.equal(m(' app = web , tier ', a), true, 'whitespace around tokens is allowed');
  assert.equal(m('', none), true);
});

test('label selector: set-based in/notin and numeric gt/lt', () => {
  const a = labelled({ env: 'prod', n: '5' });
  const m = (sel: string, o: KubeObj) => parseLabelSelector(sel)(o);
  assert.equal(m('env in (prod, staging)', a), true);
  assert.equal(m('env in (dev)', a), false);
  assert.equal(m('env notin (dev,qa)', a), true);
  assert.equal(m('missing notin (dev)', a), true, 'notin matches objects without the key');
  assert.equal(m('missing in (dev)', a), false);
  assert.equal(m('env in (prod),n>4', a), true, 'commas inside parentheses do not split requirements');
  assert.equal(m('n<5', a), false);
  assert.equal(m('example.com/role=edge', labelled({ 'example.com/role': 'edge' })), true);
});

test('label selector: malformed input is a 400', () => {
  for (const bad of ['app=we b', 'app in (a', '=x', 'n>abc', 'a,,b']) {
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.status.code === 400, bad);
  }
});

test('field selector: metadata fields, Secret type, escapes', () => {
  const secrets = findByKind('Secret');
  const tls = { metadata: { name: 'cert', namespace: 'a' }, type: 'kubernetes.io/tls' };
  const opaque = { metadata: { name: 'x,y', namespace: 'b' }, type: 'Opaque' };
  const m = (sel: string, o: KubeObj) => parseFieldSelector(sel, secrets)(o);
  assert.equal(m('type=kubernetes.io/tls', tls), true);
  assert.equal(m('type==kubernetes.io/tls', opaque), false);
  assert.equal(m('type!=kubernetes.io/tls', opaque), true);
  assert.equal(m('metadata.namespace=a,metadata.name=cert', tls), true);
  assert.equal(m('metadata.name=x\\,y', opaque), true, 'escaped comma is part of the value');
});

test('field selector: unsupported fields are rejected like the real API', () => {
  const services = findByKind('Service');
  assert.equal(parseFieldSelector('spec.type=ClusterIP', services)({ metadata: {}, spec: { type: 'ClusterIP' } }), true);
  assert.throws(
    () => parseFieldSelector('type=kubernetes.io/tls', services),
    (e: unknown) => e instanceof ApiError && e.status.code === 400 && /field label not supported: type/.test(e.status.message ?? ''),
  );
  assert.throws(() => parseFieldSelector('metadata.namespace=x', findByKind('IngressClass')), ApiError, 'no namespace field on cluster-scoped types');
  assert.throws(() => parseFieldSelector('garbage', services), ApiError);
});
