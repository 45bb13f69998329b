import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpiredError, VersionedStore, type Obj } from './store.ts';

function obj(name: string, extra: Record<string, unknown> = {}): Obj {
  return { metadata: { name, namespace: 'ns' }, ...extra } as Obj;
}

test('resourceVersion is global and increases on every write; objects come back frozen', () => {
  const s = new VersionedStore(10, 100);
  const a = s.put('services', 'ns/a', obj('a'));
  const b = s.put('secrets', 'ns/b', obj('b'));
  assert.equal(a.metadata.resourceVersion, '101');
  assert.equal(b.metadata.resourceVersion, '102');
  assert.equal(s.rv, 102);
  assert.ok(Object.isFrozen(a.metadata));
  const gone = s.remove('services', 'ns/a');
  assert.equal(gone?.metadata.resourceVersion, '103', 'a deletion is stamped with its own RV');
  assert.equal(s.remove('services', 'ns/a'), undefined);
});

test('list is in key order; listAt rebuilds a past snapshot', () => {
  const s = new VersionedStore(10, 0);
  s.put('b', 'ns/z', obj('z'));
  s.put('b', 'ns/a', obj('a', { v: 1 }));
  const at2 = s.rv;
  s.put('b', 'ns/a', obj('a', { v: 2 }));
  s.remove('b', 'ns/z');
  s.put('b', 'ns/m', obj('m'));
  assert.deepEqual(s.list('b').map(([k]) => k), ['ns/a', 'ns/m']);
  const past = s.listAt('b', at2);
  assert.deepEqual(past.map(([k]) => k), ['ns/a', 'ns/z']);
  assert.equal(past[0][1].v, 1);
  assert.deepEqual(s.listAt('b', 0), []);
});

test('history keeps exactly `window` changes; older resourceVersions are expired', () => {
  const s = new VersionedStore(3, 0);
  for (let i = 0; i < 5; i++) s.put('b', `ns/o${i}`, obj(`o${i}`));
  // rv 1..5 written, 3..5 kept: resuming after 2 works, after 1 would miss rv 2.
  assert.equal(s.compactedRv, 2);
  assert.deepEqual(s.changesSince(2).map((c) => c.rv), [3, 4, 5]);
  assert.deepEqual(s.changesSince(4).map((c) => c.rv), [5]);
  assert.deepEqual(s.changesSince(5), []);
  assert.throws(() => s.changesSince(1), ExpiredError);
  assert.throws(() => s.listAt('b', 1), ExpiredError);
});

test('compact() forgets all history at the current revision', () => {
  const s = new VersionedStore(100, 0);
  s.put('b', 'ns/a', obj('a'));
  s.put('b', 'ns/b', obj('b'));
  assert.equal(s.compact(), 2);
  assert.deepEqual(s.changesSince(2), []);
  assert.throws(() => s.changesSince(1), (e: unknown) => e instanceof ExpiredError && e.oldest === 2);
});

test('subscribers see each change with the previous state', () => {
  const s = new VersionedStore(10, 0);
  const seen: string[] = [];
  const off = s.subscribe((c) => seen.push(`${c.type}:${c.key}:${c.rv}:${c.prev ? 'prev' : '-'}`));
  s.put('b', 'ns/a', obj('a'));
  s.put('b', 'ns/a', obj('a', { x: 1 }));
  s.remove('b', 'ns/a');
  off();
  s.put('b', 'ns/c', obj('c'));
  assert.deepEqual(seen, ['ADDED:ns/a:1:-', 'MODIFIED:ns/a:2:prev', 'DELETED:ns/a:3:prev']);
});

test('window must be a positive integer', () => {
  assert.throws(() => new VersionedStore(0));
  assert.throws(() => new VersionedStore(1.5));
});
