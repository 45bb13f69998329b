// Client address lists, answering 403 like nginx's allow/deny as ingress-nginx renders them:
// the location's denylist first, then its allowlist followed by "deny all". The ConfigMap
// block-cidrs apply to every route first (ingress-nginx puts them at http level, where nginx's
// inheritance drops them for any location that has its own lists; sluice keeps them: a blocked
// address stays blocked).

import type { GlobalConfig } from '../../../compile/config.ts';
import { CidrSet, parseCidr, type Cidr } from '../../../net/cidr.ts';
import type { Target } from '../../router.ts';
import { clientAddress } from '../client-address.ts';
import { CONTINUE, RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

interface AccessState {
  block: CidrSet | null;
  deny: CidrSet | null;
  allow: CidrSet | null;
}

const STATE = 'access';
const sets = new WeakMap<readonly string[], CidrSet>();
const blocks = new WeakMap<GlobalConfig, CidrSet | null>();

function setOf(list: readonly string[]): CidrSet {
  let s = sets.get(list);
  if (s === undefined) sets.set(list, (s = new CidrSet(list)));
  return s;
}

function blockSet(cfg: GlobalConfig): CidrSet | null {
  let s = blocks.get(cfg);
  if (s === undefined) {
    const cidrs: Cidr[] = [];
    for (const e of cfg['block-cidrs']) {
      const c = parseCidr(e);
      if (c !== null) cidrs.push(c);
    }
    s = cidrs.length > 0 ? new CidrSet(cidrs) : null;
    blocks.set(cfg, s);
  }
  return s;
}

const access: Step = (req, t, d) => {
  const st = t.state.get(STATE) as AccessState;
  const a = clientAddress(req);
  if (a === null || (st.block !== null && st.block.has(a)) || (st.deny !== null && st.deny.has(a)) || (st.allow !== null && !st.allow.has(a))) {
    d.status = 403;
    return RESPOND;
  }
  return CONTINUE;
};

export const accessStep: StepFactory = (t: Target) => {
  const p = t.policy.access;
  const state: AccessState = {
    block: blockSet(t.cfg),
    deny: p.deny.length > 0 ? setOf(p.deny) : null,
    allow: p.allow !== null ? setOf(p.allow) : null,
  };
  if (state.block === null && state.deny === null && state.allow === null) return null;
  t.state.set(STATE, state);
  return access;
};
