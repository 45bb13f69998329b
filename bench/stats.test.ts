// Pure helpers: median / percentile / formatting. No timing assertions anywhere in bench tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtInt, fmtMs, fmtPct, median, percentile, sum } from './lib/stats.ts';

test('median of odd and even counts, ignoring non-finite values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5, NaN, 1, Infinity, 3]), 3);
  assert.ok(Number.isNaN(median([])));
  assert.ok(Number.isNaN(median([NaN])));
});

test('median does not reorder its input', () => {
  const xs = [3, 1, 2];
  median(xs);
  assert.deepEqual(xs, [3, 1, 2]);
});

test('percentile interpolates between ranks', () => {
  const xs = [10, 20, 30, 40, 50];
  assert.equal(percentile(xs, 0), 10);
  assert.equal(percentile(xs, 50), 30);
  assert.equal(percentile(xs, 100), 50);
  assert.equal(percentile(xs, 25), 20);
  assert.equal(percentile([1, 2], 99), 1.99);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('sum skips non-finite values', () => {
  assert.equal(sum([1, 2, NaN, 3]), 6);
});

test('formatting', () => {
  assert.equal(fmtInt(12345.6), '12,346');
  assert.equal(fmtInt(NaN), '–');
  assert.equal(fmtMs(1.234), '1.23');
  assert.equal(fmtMs(53.44), '53.4');
  assert.equal(fmtMs(962.2), '962');
  assert.equal(fmtMs(1534), '1,534');
  assert.equal(fmtPct(0.874), '87%');
});
