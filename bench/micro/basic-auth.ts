// Micro-benchmark of Basic auth verification: µs per check for the paths the proxy takes.
//   node bench/micro/basic-auth.ts [--quick]
// Not a test: prints a table. Numbers depend on the machine; README.md in src/dataplane/auth
// records one run.

import { createHash } from 'node:crypto';
import apacheMd5 from 'apache-md5';
import { hashSync } from 'bcryptjs';
import unixCryptTD from 'unix-crypt-td-js';
import { BasicAuthVerifier, parseBasicAuthorization, VerificationCache } from '../../src/dataplane/auth/basic-auth.ts';
import { HashWorkerPool, InlineExecutor } from '../../src/dataplane/auth/hash-pool.ts';
import { verifyPassword } from '../../src/dataplane/auth/schemes.ts';
import { shaCrypt } from '../../src/dataplane/auth/sha-crypt.ts';

const quick = process.argv.includes('--quick');
const PW = 'correct horse';
const header = (user: string, pw = PW) => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');
const pwBytes = Buffer.from(PW);

const hashes: Record<string, string> = {
  plain: '{PLAIN}' + PW,
  sha1: '{SHA}' + createHash('sha1').update(PW).digest('base64'),
  ssha: '{SSHA}' + Buffer.concat([createHash('sha1').update(PW).update('saltsalt').digest(), Buffer.from('saltsalt')]).toString('base64'),
  des: unixCryptTD(PW, 'ab'),
  apr1: apacheMd5(PW, '$apr1$abcdefgh$'),
  'md5-crypt': apacheMd5(PW, '$1$abcdefgh$'),
  'sha256-crypt': shaCrypt(pwBytes, '$5$saltsaltsaltsalt')!,
  'sha512-crypt': shaCrypt(pwBytes, '$6$saltsaltsaltsalt')!,
  'bcrypt-5': hashSync(PW, '$2y$05$abcdefghijklmnopqrstuu'),
  'bcrypt-10': hashSync(PW, '$2y$10$abcdefghijklmnopqrstuu'),
  'bcrypt-11': hashSync(PW, '$2y$11$abcdefghijklmnopqrstuu'),
};

function time(label: string, iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(iterations, 200); i++) fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  console.log(`${label.padEnd(46)} ${us.toFixed(us < 10 ? 2 : 0).padStart(10)} µs`);
  return us;
}

console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run\n`);
console.log('-- per request, synchronous paths (BasicAuthVerifier.check)');
time('parse header only', 200_000, () => parseBasicAuthorization(header('alice')));
const users = new Map(Object.entries(hashes).map(([k, h]) => [k, h]));
const cache = new VerificationCache();
const v = new BasicAuthVerifier(users, { cache, executor: new InlineExecutor() });
for (const k of ['plain', 'sha1', 'ssha']) {
  const h = header(k);
  time(`check: {${k}} (never cached)`, 100_000, () => v.check(h));
}
time('check: unknown user', 200_000, () => v.check(header('nobody')));
time('check: malformed header', 200_000, () => v.check('Basic !!!'));
for (const k of ['bcrypt-10', 'sha512-crypt']) {
  const h = header(k);
  await v.check(h);
  time(`check: ${k}, cached success`, 100_000, () => v.check(h));
}
{
  const h = header('bcrypt-10', 'wrong');
  await v.check(h);
  time('check: bcrypt-10, cached failure (negative)', 100_000, () => v.check(h));
}

console.log('\n-- uncached: one full hash on the calling thread (verifyPassword)');
const iters: Record<string, number> = { des: 500, apr1: 300, 'md5-crypt': 300, 'sha256-crypt': 50, 'sha512-crypt': 50, 'bcrypt-5': 50, 'bcrypt-10': 3, 'bcrypt-11': 2 };
for (const [k, n] of Object.entries(iters)) {
  if (quick && k === 'bcrypt-11') continue;
  time(`verifyPassword: ${k}`, quick ? Math.max(1, Math.ceil(n / 10)) : n, () => verifyPassword(PW, hashes[k]!));
}

console.log('\n-- uncached through the worker pool (1 worker), as the proxy does it');
const pool = new HashWorkerPool({ size: 1 });
const pv = new BasicAuthVerifier(users, { cache: null, executor: pool, maxPending: 1024 });
{
  const limits = { maxBcryptCost: 11, maxShaCryptRounds: 1_000_000 };
  await pool.verify(pwBytes, hashes.plain!, limits);
  const count = quick ? 100 : 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await pool.verify(pwBytes, hashes.plain!, limits);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
  console.log(`${'pool round trip: {PLAIN} (overhead only)'.padEnd(46)} ${us.toFixed(0).padStart(10)} µs`);
}
for (const [k, n] of [['bcrypt-5', 50], ['sha512-crypt', 50], ['apr1', 200]] as const) {
  const h = header(k);
  await pv.check(h); // start the worker
  const count = quick ? 10 : n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await pv.check(h);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
  console.log(`${`pool round trip: ${k} (sequential)`.padEnd(46)} ${us.toFixed(0).padStart(10)} µs`);
}

console.log('\n-- event-loop delay while verifying 8 distinct bcrypt-10 passwords');
for (const [label, executor] of [['inline (main thread)', new InlineExecutor()], ['worker pool', pool]] as const) {
  const ver = new BasicAuthVerifier(users, { cache: null, executor, maxPending: 1024 });
  // Largest gap between ticks of a 1 ms interval: how long the loop could not serve anything.
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: quick ? 2 : 8 }, (_, i) => ver.check(header('bcrypt-10', `wrong${i}`))));
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  console.log(`${label.padEnd(24)} total ${ms.toFixed(0).padStart(5)} ms, longest event-loop stall ${maxGap.toFixed(1).padStart(7)} ms`);
}
await pool.close();
