import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch, jsonPatch, mergePatch, PATCH_TYPES, strategicMergePatch } from './patch.ts';
import { ApiError } from './status.ts';

test('merge patch (RFC 7386): recursive merge, null deletes, arrays replace', () => {
  const target = { a: 1, m: { x: 1, y: 2 }, list: [1, 2, 3] };
  assert.deepEqual(mergePatch(target, { m: { y: null, z: 3 }, list: [9], b: 'new' }), {
    a: 1,
    m: { x: 1, z: 3 },
    list: [9],
    b: 'new',
  });
  assert.deepEqual(target.m, { x: 1, y: 2 }, 'target is not mutated');
  assert.deepEqual(mergePatch({ a: 1 }, 'scalar'), 'scalar');
});

test('strategic merge patch: merge semantics plus $patch directives', () => {
  const target = { spec: { rules: [{ host: 'a' }], tls: [{ hosts: ['a'] }] }, status: { x: 1 } };
  assert.deepEqual(strategicMergePatch(target, { spec: { tls: { $patch: 'delete' } } }), { spec: { rules: [{ host: 'a' }] }, status: { x: 1 } });
  assert.deepEqual(strategicMergePatch(target, { status: { $patch: 'replace', y: 2 } }), { spec: target.spec, status: { y: 2 } });
});

test('json patch (RFC 6902): every op', () => {
  const doc = { metadata: { labels: { a: '1' } }, list: [1, 2] };
  const out = jsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/b', value: '2' },
    { op: 'replace', path: '/metadata/labels/a', value: 'one' },
    { op: 'add', path: '/list/-', value: 3 },
    { op: 'add', path: '/list/0', value: 0 },
    { op: 'remove', path: '/list/1' },
    { op: 'copy', from: '/metadata/labels/a', path: '/copied' },
    { op: 'move', from: '/copied', path: '/moved' },
    { op: 'test', path: '/moved', value: 'one' },
    { op: 'add', path: '/metadata/annotations', value: { 'x~/y': 'z' } },
    { op: 'replace', path: '/metadata/annotations/x~0~1y', value: 'escaped' },
  ]);
  assert.deepEqual(out, {
    metadata: { labels: { a: 'one', b: '2' }, annotations: { 'x~/y': 'escaped' } },
    list: [0, 2, 3],
    moved: 'one',
  });
  assert.deepEqual(doc.list, [1, 2], 'target is not mutated');
});

test('json patch failures: 422 for ops that do not apply, 400 for malformed patches', () => {
  const is = (code: number) => (e: unknown) => e instanceof ApiError && e.status.code === code;
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), is(422));
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), is(422));
  assert.throws(() => jsonPatch({ a: [] }, [{ op: 'remove', path: '/a/0' }]), is(422));
  assert.throws(() => jsonPatch({ a: 1 }, { op: 'add' }), is(400));
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'frobnicate', path: '/a' }]), is(400));
});

test('applyPatch picks the algorithm by media type and rejects others with 415', () => {
  assert.deepEqual(applyPatch(PATCH_TYPES.merge, { a: 1 }, { b: 2 }), { a: 1, b: 2 });
  assert.deepEqual(applyPatch(PATCH_TYPES.json, { a: 1 }, [{ op: 'remove', path: '/a' }]), {});
  assert.throws(() => applyPatch('text/plain', {}, {}), (e: unknown) => e instanceof ApiError && e.status.code === 415);
});
