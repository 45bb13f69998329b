// auth-cache-key / auth-cache-duration: auth answers cached per route and key, as the nginx
// proxy_cache ingress-nginx puts on the auth location (keys_zone auth_cache, inactive=30m):
//  - validity: Cache-Control s-maxage/max-age, else X-Accel-Expires / Expires, else the
//    auth-cache-duration entry for the status (default "200 202 401 5m");
//  - never cached: answers with Set-Cookie, Cache-Control no-cache/no-store/private, Vary: *;
//  - entries unused for 30 minutes are dropped; the cache holds at most MAX_ENTRIES (LRU).
// One cache per process, kept across route-table swaps, so a reload does not empty it.

import type { CacheValidity } from '../../../compile/auth/external.ts';
import type { AuthAnswer } from './client.ts';

const INACTIVE_MS = 30 * 60_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  answer: AuthAnswer;
  expires: number;
  lastUsed: number;
}

const entries = new Map<string, Entry>();

export function cacheLookup(key: string, now: number): AuthAnswer | null {
  const e = entries.get(key);
  if (e === undefined) return null;
  if (e.expires <= now || now - e.lastUsed > INACTIVE_MS) {
    entries.delete(key);
    return null;
  }
  e.lastUsed = now;
  entries.delete(key);
  entries.set(key, e);
  return e.answer;
}

function header(a: AuthAnswer, name: string): string | null {
  const v = a.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** How long (ms) nginx's proxy_cache would keep this answer; 0 = not cached. */
export function validityMs(a: AuthAnswer, durations: readonly CacheValidity[], now: number): number {
  if (a.headers['set-cookie'] !== undefined) return 0;
  const vary = header(a, 'vary');
  if (vary !== null && vary.split(',').some((v) => v.trim() === '*')) return 0;
  const xae = header(a, 'x-accel-expires');
  if (xae !== null) {
    const t = xae.trim();
    if (/^@\d+$/.test(t)) return Math.max(0, Number(t.slice(1)) * 1000 - now);
    if (/^\d+$/.test(t)) return Number(t) * 1000;
  }
  const cc = header(a, 'cache-control');
  if (cc !== null) {
    const lower = cc.toLowerCase();
    if (/(^|[\s,])(no-cache|no-store|private)([\s,=]|$)/.test(lower)) return 0;
    const m = /(?:^|[\s,])s-maxage=(\d+)/.exec(lower) ?? /(?:^|[\s,])max-age=(\d+)/.exec(lower);
    if (m) return Number(m[1]) * 1000;
  }
  const exp = header(a, 'expires');
  if (exp !== null) {
    const t = Date.parse(exp);
    return Number.isNaN(t) ? 0 : Math.max(0, t - now);
  }
  for (const d of durations) if (d.statuses.length === 0 || d.statuses.includes(a.status)) return d.seconds * 1000;
  return 0;
}

export function cacheStore(key: string, a: AuthAnswer, durations: readonly CacheValidity[], now: number): void {
  const ms = validityMs(a, durations, now);
  if (ms <= 0) return;
  entries.delete(key);
  entries.set(key, { answer: a, expires: now + ms, lastUsed: now });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

/** Entries cached (tests, debugging). */
export function cacheSize(): number {
  return entries.size;
}
