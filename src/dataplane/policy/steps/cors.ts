// CORS, as ingress-nginx's template renders it (nginx.tmpl "CORS", template.go
// buildCorsOriginRegex), in the location's rewrite phase:
//   - the request is "CORS" when cors-allow-origin is `*` (whatever the Origin, even none), or
//     when its Origin matches an allowed origin (case-insensitive; `*.` is exactly one label);
//   - then every response, proxied or generated, gets Allow-Origin (a literal `*`, or the
//     request's Origin echoed), Allow-Credentials (when true), Allow-Methods, Allow-Headers,
//     Expose-Headers (when set) and Max-Age, replacing the upstream's own headers of those names;
//   - an OPTIONS request that is CORS is answered here with 204, those headers,
//     "Content-Type: text/plain charset=UTF-8" and "Content-Length: 0": it never reaches the pod;
//   - a request from an origin that is not allowed gets no CORS header at all, and is proxied
//     (OPTIONS included).

import type { CorsPolicy } from '../../../compile/policy.ts';
import type { Target } from '../../router.ts';
import { CONTINUE, RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

interface CorsState {
  /** Header lines after Access-Control-Allow-Origin. */
  tail: string;
  /** The whole block for `*`; '' when origins are listed. */
  any: string;
  /** Matches allowed origins (anchored, case-insensitive); null for `*`. */
  match: RegExp | null;
  /** Upstream response headers replaced by ours. */
  drop: readonly string[];
}

const KEY = 'cors';

/** Regex source for one allowed origin: literal, except a leading `*.` label. */
function originSource(o: string): string {
  const star = o.indexOf('://*.');
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (star < 0) return esc(o);
  return `${esc(o.slice(0, star + 3))}[A-Za-z0-9-]+${esc(o.slice(star + 4))}`;
}

export function compileCors(c: CorsPolicy): CorsState {
  let tail = '';
  const drop = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'];
  if (c.credentials) {
    tail += 'Access-Control-Allow-Credentials: true\r\n';
    drop.push('access-control-allow-credentials');
  }
  tail += `Access-Control-Allow-Methods: ${c.methods}\r\nAccess-Control-Allow-Headers: ${c.headers}\r\n`;
  if (c.exposeHeaders !== '') {
    tail += `Access-Control-Expose-Headers: ${c.exposeHeaders}\r\n`;
    drop.push('access-control-expose-headers');
  }
  tail += `Access-Control-Max-Age: ${c.maxAge}\r\n`;
  const anyOrigin = c.origins.includes('*');
  return {
    tail,
    any: anyOrigin ? `Access-Control-Allow-Origin: *\r\n${tail}` : '',
    // Anchored at both ends (ingress-nginx anchors only the end, which differs only for Origin
    // values no browser sends). Each alternative is a literal or one [A-Za-z0-9-]+ run: linear.
    match: anyOrigin ? null : new RegExp(`^(?:${c.origins.map(originSource).join('|')})$`, 'i'),
    drop,
  };
}

function state(t: Target): CorsState {
  let s = t.state.get(KEY) as CorsState | undefined;
  if (s === undefined) {
    s = compileCors(t.policy.cors!);
    t.state.set(KEY, s);
  }
  return s;
}

const cors: Step = (req, t, d) => {
  const s = state(t);
  let headers: string;
  if (s.match === null) {
    headers = s.any;
  } else {
    const origin = req.header('origin');
    if (origin === null || !s.match.test(origin)) return CONTINUE;
    headers = `Access-Control-Allow-Origin: ${origin}\r\n${s.tail}`;
  }
  d.responseHeaders += headers;
  if (req.method === 'OPTIONS') {
    d.status = 204;
    d.contentType = 'text/plain charset=UTF-8';
    d.body = '';
    return RESPOND;
  }
  d.dropResponseHeaders = d.dropResponseHeaders === null ? s.drop : [...d.dropResponseHeaders, ...s.drop];
  return CONTINUE;
};

// A denied route answers 503 and nothing else (ingress-nginx renders only "return 503" there).
export const corsStep: StepFactory = (t) => (t.policy.cors !== null && t.policy.denied === null ? cors : null);
