import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microTime } from './micro-time.ts';
import { TokenBucket } from './token-bucket.ts';

test('burst at once, then the rate', async () => {
  const b = new TokenBucket(100, 3);
  for (let i = 0; i < 3; i++) assert.ok(b.tryTake());
  assert.equal(b.tryTake(), false);
  const t0 = performance.now();
  await b.take();
  await b.take();
  assert.ok(performance.now() - t0 >= 10, 'waited for tokens');
  b.stop();
});

test('microTime has six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), '2024-01-02T03:04:05.678000Z');
});
