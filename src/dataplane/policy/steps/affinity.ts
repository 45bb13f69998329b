// Cookie session affinity, as ingress-nginx's balancer/sticky*.lua does it:
//   - the cookie value is "<key>|<backend key>" (backend key = md5(md5(name) .. name) of the
//     ingress-nginx upstream name "<namespace>-<service>-<port>"); only <key> routes;
//   - balanced (default): <key> is placed on a consistent-hash ring of the endpoints (ring.ts),
//     so any key maps to a live endpoint and adding endpoints moves only some sessions; a key
//     whose endpoint went away quietly maps to another one;
//   - persistent: <key> is md5(<upstream name> .. "ip:port") of one endpoint; while that endpoint
//     exists the session stays there, when it is gone a new endpoint is chosen and the cookie reset;
//   - a cookie is set only when a new endpoint is chosen (no cookie, an unknown one, or a retry
//     elsewhere); Path defaults to the Ingress path, HttpOnly always, Secure over HTTPS or with
//     session-cookie-secure, SameSite left out for incompatible browsers when asked;
//   - a failed try: with session-cookie-change-on-failure the retry goes to another endpoint and
//     the cookie follows it; without, retries stay on the cookie's endpoint.
// Everything derives from the endpoint set and the names, never from process memory: two sluice
// processes (or a restarted one) route the same cookie to the same endpoint.

import { hash } from 'node:crypto';
import type { AffinityPolicy } from '../../../compile/policy.ts';
import type { Target } from '../../router.ts';
import type { EndpointRuntime } from '../../upstream/backends.ts';
import { cookieTime, cookieValue, sameSiteNoneCompatible } from '../../affinity/cookie.ts';
import { HashRing } from '../../affinity/ring.ts';
import type { Decision } from '../decision.ts';
import { CONTINUE } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

const KEY = 'affinity';
const FLAG_SECURE = 1;
const FLAG_NO_SAMESITE = 2;

/** Rings depend only on the endpoint set, so routes sharing a backend share one. */
const rings = new WeakMap<readonly EndpointRuntime[], HashRing>();

const md5 = (s: string): string => hash('md5', s, 'hex');

interface AffinityState {
  readonly cfg: AffinityPolicy;
  /** ingress-nginx's upstream name: the persistent-mode salt. */
  readonly upstream: string;
  /** "|" + md5(md5(upstream) .. upstream): the second half of every cookie value. */
  readonly suffix: string;
  /** "Set-Cookie: NAME=". */
  readonly prefix: string;
  /** Attributes after Expires, per flag combination. */
  readonly tails: string[];
  /** The endpoint array the lookup tables were built from. */
  eps: readonly EndpointRuntime[] | null;
  ring: HashRing | null;
  byKey: Map<string, EndpointRuntime> | null;
  keyOf: Map<EndpointRuntime, string> | null;
  readonly hook: (d: Decision, ep: EndpointRuntime) => void;
}

function build(t: Target): AffinityState {
  const a = t.policy.affinity!;
  const upstream = `${t.namespace}-${t.service}-${t.servicePort}`;
  const path = a.path ?? (t.path !== '' ? t.path : '/');
  const tails: string[] = [];
  for (let flags = 0; flags < 4; flags++) {
    tails.push(
      (a.maxAge !== null ? `; Max-Age=${a.maxAge}` : '') +
        (a.domain !== null ? `; Domain=${a.domain}` : '') +
        `; Path=${path}` +
        (flags & FLAG_SECURE ? '; Secure' : '') +
        '; HttpOnly' +
        (a.sameSite !== null && !(flags & FLAG_NO_SAMESITE) ? `; SameSite=${a.sameSite}` : '') +
        (a.partitioned ? '; Partitioned' : '') +
        '\r\n',
    );
  }
  const s: AffinityState = {
    cfg: a,
    upstream,
    suffix: `|${md5(md5(upstream) + upstream)}`,
    prefix: `Set-Cookie: ${a.cookieName}=`,
    tails,
    eps: null,
    ring: null,
    byKey: null,
    keyOf: null,
    hook: (d, ep) => {
      if (ep === d.stickyEndpoint) return;
      const key = keyFor(s, ep);
      if (key === null) return;
      const expires = a.expires !== null ? `; Expires=${cookieTime(Math.floor(Date.now() / 1000) + a.expires)}` : '';
      d.responseHeaders += `${s.prefix}${key}${s.suffix}${expires}${s.tails[d.stickyFlags]}`;
    },
  };
  return s;
}

/** Rebuilds the lookup tables when the backend's endpoint set changed (a new array). */
function refresh(s: AffinityState, eps: readonly EndpointRuntime[]): void {
  if (s.eps === eps) return;
  s.eps = eps;
  if (s.cfg.mode === 'balanced') {
    let ring = rings.get(eps);
    if (ring === undefined) {
      ring = new HashRing(eps.map((e) => e.display));
      rings.set(eps, ring);
    }
    s.ring = ring;
  } else {
    s.byKey = new Map();
    s.keyOf = new Map();
    for (const e of eps) {
      const k = md5(s.upstream + e.display);
      s.byKey.set(k, e);
      s.keyOf.set(e, k);
    }
  }
}

function lookup(s: AffinityState, key: string): EndpointRuntime | null {
  if (s.ring !== null && s.cfg.mode === 'balanced') {
    const i = s.ring.find(key);
    return i < 0 ? null : s.eps![i]!;
  }
  return s.byKey!.get(key) ?? null;
}

/** A cookie key that routes to `ep`: its hash (persistent), or a fresh key the ring maps to it. */
function keyFor(s: AffinityState, ep: EndpointRuntime): string | null {
  if (s.cfg.mode === 'persistent') return s.keyOf?.get(ep) ?? null;
  const ring = s.ring;
  const eps = s.eps;
  if (ring === null || eps === null) return null;
  // Each try lands on `ep` with its share of the ring (about 1/n): n tries expected.
  const sec = Math.floor(Date.now() / 1000);
  for (let i = 0, max = 64 * eps.length + 64; i < max; i++) {
    const key = `${sec}.${(Math.random() * 0xffffffff) >>> 0}.${i}`;
    if (eps[ring.find(key)] === ep) return key;
  }
  return null;
}

function state(t: Target): AffinityState {
  let s = t.state.get(KEY) as AffinityState | undefined;
  if (s === undefined) {
    s = build(t);
    t.state.set(KEY, s);
  }
  return s;
}

const affinity: Step = (req, t, d) => {
  const backend = t.backend;
  if (backend === null || backend.endpoints.length === 0) return CONTINUE;
  const s = state(t);
  refresh(s, backend.endpoints);
  const a = s.cfg;
  let flags = req.scheme === 'https' || a.secure ? FLAG_SECURE : 0;
  if (a.conditionalSameSiteNone && a.sameSite === 'None' && !sameSiteNoneCompatible(req.header('user-agent'))) flags |= FLAG_NO_SAMESITE;
  d.stickyFlags = flags;
  d.onEndpoint = s.hook;
  const cookies = req.header('cookie');
  if (cookies === null) return CONTINUE;
  const v = cookieValue(cookies, a.cookieName);
  if (v === null || v === '') return CONTINUE;
  const bar = v.indexOf('|');
  const ep = lookup(s, bar < 0 ? v : v.slice(0, bar));
  if (ep !== null) {
    d.endpoint = ep;
    d.stickyEndpoint = ep;
    d.pinEndpoint = !a.changeOnFailure;
  }
  return CONTINUE;
};

export const affinityStep: StepFactory = (t) => (t.policy.affinity !== null && t.policy.denied === null ? affinity : null);
