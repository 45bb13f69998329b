// auth-type: basic, as nginx's auth_basic in ingress-nginx's location: 401 with
// `WWW-Authenticate: Basic realm="<auth-realm>"` and nginx's "401 Authorization Required" page
// unless the credentials match a user of the Secret; on success the Authorization header is not
// passed upstream (proxy_set_header Authorization ""). Slow hashes are verified off the event
// loop (../../auth/basic-auth.ts), which makes this step asynchronous for them.

import type { BasicAuthPolicy } from '../../../compile/policy.ts';
import { BasicAuthVerifier, type BasicAuthResult } from '../../auth/basic-auth.ts';
import { errorBody } from '../../http1/responses.ts';
import type { Target } from '../../router.ts';
import { startAsync, takeResult } from '../async.ts';
import { isNoAuthLocation } from '../auth-locations.ts';
import type { Decision } from '../decision.ts';
import { CONTINUE, RESPOND, type StepResult } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

interface BasicState {
  verifier: BasicAuthVerifier;
  challenge: string;
}

const STATE = 'basic-auth';
const verifiers = new WeakMap<BasicAuthPolicy, BasicAuthVerifier>();

/** nginx's 401 page says "Authorization Required" (the status line says "Unauthorized"). */
export const UNAUTHORIZED_BODY = errorBody(401).replaceAll('401 Unauthorized', '401 Authorization Required');

function decide(r: BasicAuthResult, st: BasicState, d: Decision): StepResult {
  if (r.allowed) {
    d.drop('authorization');
    return CONTINUE;
  }
  if (r.reason === 'overloaded') {
    d.status = 503;
    d.headers += 'Retry-After: 1\r\n';
    return RESPOND;
  }
  if (r.reason === 'error') {
    d.status = 500;
    return RESPOND;
  }
  d.status = 401;
  d.headers += st.challenge;
  d.body = UNAUTHORIZED_BODY;
  d.contentType = 'text/html';
  return RESPOND;
}

const basicAuth: Step = (req, t, d, host) => {
  const st = t.state.get(STATE) as BasicState;
  const done = takeResult<BasicAuthResult>(basicAuth, d);
  if (done !== undefined) return decide(done, st, d);
  const r = st.verifier.check(req.header('authorization'));
  if (r instanceof Promise) return startAsync(basicAuth, d, host, r);
  return decide(r, st, d);
};

export const basicAuthStep: StepFactory = (t: Target) => {
  const p = t.policy.basicAuth;
  if (p === null || isNoAuthLocation(t)) return null;
  let v = verifiers.get(p);
  if (v === undefined) verifiers.set(p, (v = BasicAuthVerifier.fromSecret(p.data, p.secretType)));
  t.state.set(STATE, { verifier: v, challenge: `WWW-Authenticate: Basic realm="${p.realm}"\r\n` } satisfies BasicState);
  return basicAuth;
};
