import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { BasicAuthVerifier, parseBasicAuthorization, VerificationCache, type BasicAuthResult } from './basic-auth.ts';
import { HashPoolFullError, HashWorkerPool, InlineExecutor, type HashExecutor } from './hash-pool.ts';
import { parseHtpasswd } from './htpasswd.ts';
import type { HashLimits } from './schemes.ts';

const basic = (userPass: string | Buffer) => 'Basic ' + Buffer.from(userPass).toString('base64');
const vectors: { cmd: string; pw?: string; hash: string }[] = JSON.parse(readFileSync(new URL('./testdata/vectors.json', import.meta.url), 'utf8')).vectors;
const vec = (cmd: string, pw: string) => vectors.find((v) => v.cmd.startsWith(cmd) && v.pw === pw)!.hash;
const BCRYPT = vec('htpasswd -nbB -C 4', 'password'); // $2y$04$…
const SHA512 = vec('htpasswd -nb5 -r 1000', 'password');

/** Counts calls; verifies inline. */
class CountingExecutor implements HashExecutor {
  calls = 0;
  readonly #inner = new InlineExecutor();
  verify(password: Uint8Array, hash: string, limits: HashLimits): Promise<boolean> {
    this.calls++;
    return this.#inner.verify(password, hash, limits);
  }
}

/** Holds every job until release() / fail(). */
class DeferredExecutor implements HashExecutor {
  readonly jobs: { password: Uint8Array; hash: string; resolve: (ok: boolean) => void; reject: (e: Error) => void }[] = [];
  verify(password: Uint8Array, hash: string): Promise<boolean> {
    return new Promise((resolve, reject) => this.jobs.push({ password, hash, resolve, reject }));
  }
  release(ok: boolean): void {
    for (const j of this.jobs.splice(0)) j.resolve(ok);
  }
}

const isPromise = (r: unknown): r is Promise<BasicAuthResult> => r instanceof Promise;

describe('parseBasicAuthorization', () => {
  const ok = (header: string, user: string, password: string) => {
    const c = parseBasicAuthorization(header);
    assert.ok(c, header);
    assert.equal(c.user, user);
    assert.equal(Buffer.from(c.password).toString('utf8'), password);
  };
  const bad = (header: string | undefined | null) => assert.equal(parseBasicAuthorization(header), null, String(header));

  it('accepts Basic in any case, one or more spaces, padded or unpadded base64', () => {
    ok(basic('alice:secret'), 'alice', 'secret');
    ok('basic ' + Buffer.from('alice:secret').toString('base64'), 'alice', 'secret');
    ok('BaSiC    YWxpY2U6c2VjcmV0', 'alice', 'secret');
    ok('Basic Z2luYTpwdzE=', 'gina', 'pw1');
    ok('Basic Z2luYTpwdzE', 'gina', 'pw1');
    ok('  Basic YWxpY2U6c2VjcmV0 \t', 'alice', 'secret'); // what a header parser would have trimmed
  });

  it('splits at the first colon and decodes the user as UTF-8', () => {
    ok(basic('alice:a:b:c'), 'alice', 'a:b:c');
    ok(basic('alice:'), 'alice', '');
    ok(basic('jürgen:pässwörd'), 'jürgen', 'pässwörd');
    ok(basic(' eve:x'), ' eve', 'x');
  });

  it('keeps the password bytes as sent (even when not UTF-8)', () => {
    const c = parseBasicAuthorization(basic(Buffer.from('alice:\xe9t\xe9', 'latin1')));
    assert.deepEqual(c && [...c.password], [0xe9, 0x74, 0xe9]);
  });

  it('rejects everything else without throwing', () => {
    bad(undefined);
    bad(null);
    bad('');
    bad('Basic');
    bad('Basic ');
    bad('Basic\tYWxpY2U6c2VjcmV0'); // nginx: only spaces
    bad('BasicYWxpY2U6c2VjcmV0');
    bad('Bearer YWxpY2U6c2VjcmV0');
    bad('Digest username="alice"');
    bad(basic('alice')); // no colon
    bad(basic(':secret')); // empty user
    bad('Basic YWxpY2U6c2Vj*mV0'); // not base64
    bad('Basic YWxpY2U6c2VjcmV0Pz4-'); // base64url
    bad('Basic YWxpY2U6c2VjcmV0P'); // 1 mod 4
    bad('Basic Z2luYTpwdzE=junk'); // nginx ignores what follows '='; sluice does not
    bad('Basic Z2luYTpwdzE=='); // wrong padding
    bad('Basic YWxpY2U6 c2VjcmV0'); // space inside
    bad(basic('alice:secret\0junk')); // NUL in password (nginx would truncate there)
    bad(basic('ali\rce:x'));
    bad(basic('ali\nce:x'));
    bad(basic(Buffer.from('al\xe9:x', 'latin1'))); // user not UTF-8
    bad('Basic \u00ff\u00fe');
    bad('Basic ' + 'A'.repeat(100_001));
  });
});

describe('BasicAuthVerifier', () => {
  it('answers synchronously when no slow hash is needed', () => {
    const v = new BasicAuthVerifier(parseHtpasswd('alice:{PLAIN}secret\nbob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\ncarol:$y$j9T$x$y\ndave:' + BCRYPT + '\n'), { executor: new CountingExecutor(), cache: null });
    assert.deepEqual(v.check(basic('alice:secret')), { allowed: true, user: 'alice', cached: false });
    assert.deepEqual(v.check(basic('alice:nope')), { allowed: false, reason: 'mismatch', user: 'alice' });
    assert.deepEqual(v.check(basic('bob:secret')), { allowed: true, user: 'bob', cached: false });
    assert.deepEqual(v.check(basic('zoe:x')), { allowed: false, reason: 'unknown-user', user: 'zoe' });
    assert.deepEqual(v.check(basic('carol:x')), { allowed: false, reason: 'bad-hash', user: 'carol' });
    assert.deepEqual(v.check(undefined), { allowed: false, reason: 'no-credentials' });
    assert.deepEqual(v.check(''), { allowed: false, reason: 'no-credentials' });
    assert.deepEqual(v.check('Basic !!'), { allowed: false, reason: 'malformed' });
    assert.ok(isPromise(v.check(basic('dave:password'))));
    assert.equal(v.userCount, 4);
    assert.equal(v.errors.length, 1); // carol's hash
  });

  it('refuses over-long passwords before hashing', () => {
    const v = new BasicAuthVerifier(new Map([['alice', '{PLAIN}' + 'x'.repeat(20)]]), { maxPasswordBytes: 16, cache: null });
    assert.deepEqual(v.check(basic('alice:' + 'x'.repeat(20))), { allowed: false, reason: 'malformed' });
  });

  it('fromSecret reads auth-file and auth-map Secrets', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const opts = { executor: new InlineExecutor(), cache: null };
    const file = BasicAuthVerifier.fromSecret({ auth: b64(`alice:${BCRYPT}\n`) }, 'auth-file', opts);
    assert.equal((await file.verify(basic('alice:password'))).allowed, true);
    const map = BasicAuthVerifier.fromSecret({ alice: b64(SHA512) }, 'auth-map', opts);
    assert.equal((await map.verify(basic('alice:password'))).allowed, true);
    assert.equal((await map.verify(basic('alice:passwort'))).allowed, false);
    const none = BasicAuthVerifier.fromSecret({}, 'auth-file', opts);
    assert.equal(none.userCount, 0);
    assert.equal(none.errors.length, 1);
  });

  describe('agrees with nginx (testdata/nginx-cases.json, recorded from nginx 1.22.1)', () => {
    const recorded: { files: Record<string, string>; cases: { file: string; title: string; authorization: string; status: number }[] } = JSON.parse(
      readFileSync(new URL('./testdata/nginx-cases.json', import.meta.url), 'utf8'),
    );
    // Where sluice is deliberately stricter (README.md, "Where sluice differs").
    const stricter = new Set(['junk after padding', 'excess padding', 'NUL in password']);
    const verifiers = new Map(Object.entries(recorded.files).map(([name, text]) => [name, new BasicAuthVerifier(parseHtpasswd(text), { executor: new InlineExecutor(), cache: null })]));
    for (const c of recorded.cases) {
      it(`${c.file}: ${c.title} → nginx ${c.status}`, async () => {
        const r = await verifiers.get(c.file)!.verify(c.authorization);
        if (stricter.has(c.title)) {
          assert.equal(c.status, 200);
          assert.equal(r.allowed, false);
        } else {
          assert.equal(r.allowed, c.status === 200, JSON.stringify(r));
        }
      });
    }
  });
});

describe('verification cache', () => {
  const setup = (cacheOpts: ConstructorParameters<typeof VerificationCache>[0] = {}) => {
    let now = 1_000_000;
    const cache = new VerificationCache({ now: () => now, ...cacheOpts });
    const executor = new CountingExecutor();
    const v = new BasicAuthVerifier(new Map([['alice', BCRYPT], ['bob', SHA512]]), { cache, executor });
    return { cache, executor, v, advance: (ms: number) => (now += ms) };
  };

  it('a correct password costs one slow hash per TTL', async () => {
    const { cache, executor, v, advance } = setup({ ttlMs: 60_000 });
    const first = v.check(basic('alice:password'));
    assert.ok(isPromise(first));
    assert.deepEqual(await first, { allowed: true, user: 'alice', cached: false });
    assert.deepEqual(v.check(basic('alice:password')), { allowed: true, user: 'alice', cached: true });
    advance(59_000);
    assert.deepEqual(v.check(basic('alice:password')), { allowed: true, user: 'alice', cached: true });
    assert.equal(executor.calls, 1);
    advance(2_000); // the first entry expires 60 s after it was stored
    const again = v.check(basic('alice:password'));
    assert.ok(isPromise(again));
    assert.equal((await again).allowed, true);
    assert.equal(executor.calls, 2);
    assert.equal(cache.stats.hits, 2);
  });

  it('failures are remembered only briefly', async () => {
    const { executor, v, advance } = setup({ negativeTtlMs: 2_000 });
    assert.deepEqual(await v.check(basic('alice:wrong')), { allowed: false, reason: 'mismatch', user: 'alice' });
    assert.deepEqual(v.check(basic('alice:wrong')), { allowed: false, reason: 'mismatch', user: 'alice' });
    assert.equal(executor.calls, 1);
    advance(2_001);
    assert.ok(isPromise(v.check(basic('alice:wrong'))));
    assert.equal(executor.calls, 2);
    // A remembered failure never blocks the right password.
    assert.equal((await v.check(basic('alice:password'))).allowed, true);
  });

  it('negative caching can be turned off', async () => {
    const { executor, v } = setup({ negativeTtlMs: 0 });
    await v.check(basic('alice:wrong'));
    await v.check(basic('alice:wrong'));
    assert.equal(executor.calls, 2);
  });

  it('evicts the least recently used success beyond maxEntries', async () => {
    const { cache, executor, v } = setup({ maxEntries: 1 });
    await v.check(basic('alice:password'));
    await v.check(basic('bob:password'));
    assert.equal(cache.stats.size, 1);
    assert.equal(cache.stats.evictions, 1);
    assert.ok(!isPromise(v.check(basic('bob:password'))));
    assert.ok(isPromise(v.check(basic('alice:password'))));
    assert.equal(executor.calls, 3);
  });

  it('a flood of wrong passwords does not evict successes', async () => {
    const { cache, v } = setup({ maxEntries: 10, maxNegativeEntries: 5 });
    await v.check(basic('alice:password'));
    for (let i = 0; i < 20; i++) await v.check(basic(`alice:wrong${i}`));
    assert.equal(cache.stats.size, 1);
    assert.equal(cache.stats.negativeSize, 5);
    assert.ok(!isPromise(v.check(basic('alice:password'))));
  });

  it('is keyed by user, password and stored hash: a changed hash is never answered from the cache', async () => {
    const cache = new VerificationCache();
    const executor = new CountingExecutor();
    const old = new BasicAuthVerifier(new Map([['alice', BCRYPT]]), { cache, executor });
    assert.equal((await old.check(basic('alice:password'))).allowed, true);
    const changed = new BasicAuthVerifier(new Map([['alice', vec('htpasswd -nbB -C 4', 'pässwörd€')]]), { cache, executor });
    const r = changed.check(basic('alice:password'));
    assert.ok(isPromise(r));
    assert.equal((await r).allowed, false);
    // Another user with the same hash and password is a different entry too.
    const other = new BasicAuthVerifier(new Map([['bob', BCRYPT]]), { cache, executor });
    assert.ok(isPromise(other.check(basic('bob:password'))));
  });

  it('stores HMACs under a per-cache random key, never the password', () => {
    const a = new VerificationCache();
    const b = new VerificationCache();
    const pw = Buffer.from('hunter2');
    const k = a.keyOf('alice', pw, BCRYPT);
    assert.match(k, /^[A-Za-z0-9+/]{43}=$/);
    assert.ok(!k.includes('hunter2'));
    assert.equal(a.keyOf('alice', pw, BCRYPT), k);
    assert.notEqual(b.keyOf('alice', pw, BCRYPT), k);
    assert.notEqual(a.keyOf('alice', Buffer.from('hunter3'), BCRYPT), k);
    assert.notEqual(a.keyOf('alic', Buffer.from('ehunter2'), BCRYPT), k);
  });

  it('fast schemes bypass the cache', () => {
    const cache = new VerificationCache();
    const v = new BasicAuthVerifier(new Map([['alice', '{PLAIN}x']]), { cache });
    v.check(basic('alice:x'));
    v.check(basic('alice:x'));
    assert.equal(cache.stats.misses + cache.stats.hits, 0);
  });
});

describe('slow verifications in flight', () => {
  it('identical concurrent attempts share one computation', async () => {
    const executor = new DeferredExecutor();
    const v = new BasicAuthVerifier(new Map([['alice', BCRYPT]]), { executor, cache: new VerificationCache() });
    const rs = [v.check(basic('alice:password')), v.check(basic('alice:password')), v.check(basic('alice:password'))];
    assert.equal(executor.jobs.length, 1);
    assert.equal(v.pending, 1);
    executor.release(true);
    for (const r of await Promise.all(rs)) assert.equal(r.allowed, true);
    assert.equal(v.pending, 0);
  });

  it('beyond maxPending, attempts are refused as overloaded without hashing', async () => {
    const executor = new DeferredExecutor();
    const v = new BasicAuthVerifier(new Map([['alice', BCRYPT]]), { executor, cache: null, maxPending: 2 });
    const a = v.check(basic('alice:one'));
    const b = v.check(basic('alice:two'));
    assert.deepEqual(v.check(basic('alice:three')), { allowed: false, reason: 'overloaded', user: 'alice' });
    assert.equal(executor.jobs.length, 2);
    executor.release(false);
    await Promise.all([a, b]);
    assert.ok(isPromise(v.check(basic('alice:three'))));
  });

  it('a full pool means overloaded, a failing worker means error; neither rejects', async () => {
    const full: HashExecutor = { verify: () => Promise.reject(new HashPoolFullError()) };
    const broken: HashExecutor = { verify: () => Promise.reject(new Error('boom')) };
    const users = new Map([['alice', BCRYPT]]);
    assert.deepEqual(await new BasicAuthVerifier(users, { executor: full, cache: null }).check(basic('alice:password')), { allowed: false, reason: 'overloaded', user: 'alice' });
    assert.deepEqual(await new BasicAuthVerifier(users, { executor: broken, cache: null }).check(basic('alice:password')), { allowed: false, reason: 'error', user: 'alice' });
  });

  it('gives the executor its own copy of the password bytes', async () => {
    const executor = new DeferredExecutor();
    const v = new BasicAuthVerifier(new Map([['alice', BCRYPT]]), { executor, cache: null });
    const r = v.check(basic('alice:password'));
    const job = executor.jobs[0]!;
    assert.equal(job.password.byteOffset, 0);
    assert.equal(job.password.buffer.byteLength, 'password'.length);
    executor.release(true);
    await r;
  });
});

describe('HashWorkerPool', () => {
  const pool = new HashWorkerPool({ size: 1, maxQueue: 2 });
  after(() => pool.close());

  it('verifies in a worker thread while the event loop keeps running', async () => {
    const v = new BasicAuthVerifier(new Map([['alice', BCRYPT], ['bob', SHA512]]), { executor: pool, cache: null });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const results = await Promise.all([v.check(basic('alice:password')), v.check(basic('bob:password')), v.check(basic('bob:wrong'))]);
    clearInterval(timer);
    assert.deepEqual(results.map((r) => r.allowed), [true, true, false]);
    assert.ok(ticks > 0);
    assert.equal(pool.stats.workers, 1);
    assert.equal(pool.stats.completed, 3);
  });

  it('rejects with HashPoolFullError beyond maxQueue', async () => {
    const limits = { maxBcryptCost: 11, maxShaCryptRounds: 1_000_000 };
    const jobs = [1, 2, 3].map(() => pool.verify(Buffer.from('password'), BCRYPT, limits));
    await assert.rejects(pool.verify(Buffer.from('password'), BCRYPT, limits), HashPoolFullError);
    assert.deepEqual(await Promise.all(jobs), [true, true, true]);
  });

  it('rejects pending work when closed', async () => {
    const p = new HashWorkerPool({ size: 1 });
    const job = p.verify(Buffer.from('password'), BCRYPT, { maxBcryptCost: 11, maxShaCryptRounds: 1_000_000 });
    const rejected = assert.rejects(job, /closed/);
    await p.close();
    await rejected;
    await assert.rejects(p.verify(Buffer.from('x'), BCRYPT, { maxBcryptCost: 11, maxShaCryptRounds: 1_000_000 }), /closed/);
  });
});
