import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { crc32 } from './crc32.ts';
import { HashRing } from './ring.ts';

test('crc32 is the zlib one', () => {
  for (const s of ['', 'a', 'hello', '10.0.0.1:8080', 'x'.repeat(1000)]) assert.equal(crc32(s), zlib.crc32(s), s);
});

test("the ring is resty.chash's: lua-resty-balancer t/chash.t TEST 1 distribution, bit for bit", () => {
  // servers {server1 = 10, server2 = 2, server3 = 1}; find(1..100000) → 77075 / 14743 / 8182, 2080 points.
  const ring = new HashRing(['server1', 'server2', 'server3'], [10, 2, 1]);
  assert.equal(ring.hashes.length, 2080);
  const counts = [0, 0, 0];
  for (let i = 1; i <= 100_000; i++) counts[ring.find(String(i))]!++;
  assert.deepEqual(counts, [77075, 14743, 8182]);
});

test('adding an endpoint moves only keys onto it; the order of the ids does not matter', () => {
  const a = new HashRing(['10.0.0.1:80', '10.0.0.2:80']);
  const b = new HashRing(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
  const c = new HashRing(['10.0.0.3:80', '10.0.0.1:80', '10.0.0.2:80']);
  const idsB = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
  const idsC = ['10.0.0.3:80', '10.0.0.1:80', '10.0.0.2:80'];
  let moved = 0;
  for (let i = 0; i < 10_000; i++) {
    const k = `key-${i}`;
    const before = ['10.0.0.1:80', '10.0.0.2:80'][a.find(k)];
    const after = idsB[b.find(k)];
    assert.equal(idsC[c.find(k)], after);
    if (before !== after) {
      assert.equal(after, '10.0.0.3:80');
      moved++;
    }
  }
  assert.ok(moved > 2500 && moved < 4200, `moved ${moved} of 10000 (about a third)`);
  assert.equal(new HashRing([]).find('x'), -1);
});
