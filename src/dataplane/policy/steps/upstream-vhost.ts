// upstream-vhost: the Host header sent upstream (nginx `proxy_set_header Host "<value>"`);
// X-Forwarded-Host keeps the client's. Variables about the route are resolved when the table is
// installed; $host / $http_host / $best_http_host per request.

import { CONTINUE } from '../request-view.ts';
import type { RequestView } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import type { Target } from '../../router.ts';

/** Literal text, or a per-request variable name. */
type Part = { text: string } | { variable: 'host' | 'http_host' };

function resolve(parts: readonly Part[], req: RequestView): string {
  let out = '';
  for (const p of parts) out += 'text' in p ? p.text : p.variable === 'host' ? req.hostname : req.host;
  return out;
}

const vhostLiteral: Step = (_req, t, d) => {
  d.upstreamHost = t.state.get('upstream-vhost') as string;
  return CONTINUE;
};

const vhostDynamic: Step = (req, t, d) => {
  d.upstreamHost = resolve(t.state.get('upstream-vhost') as Part[], req);
  return CONTINUE;
};

export const upstreamVhostStep: StepFactory = (t: Target) => {
  const v = t.policy.upstreamVhost;
  if (v === null || t.policy.denied !== null) return null;
  const parts: Part[] = [];
  let last = 0;
  let dynamic = false;
  for (const m of v.matchAll(/\$([a-z_]+)/g)) {
    parts.push({ text: v.slice(last, m.index) });
    last = m.index + m[0].length;
    const name = m[1]!;
    if (name === 'host') parts.push({ variable: 'host' }), (dynamic = true);
    else if (name === 'http_host' || name === 'best_http_host') parts.push({ variable: 'http_host' }), (dynamic = true);
    else parts.push({ text: name === 'service_name' ? t.service : name === 'namespace' ? t.namespace : name === 'service_port' ? t.servicePort : m[0] });
  }
  parts.push({ text: v.slice(last) });
  if (!dynamic) {
    t.state.set('upstream-vhost', parts.map((p) => ('text' in p ? p.text : '')).join(''));
    return vhostLiteral;
  }
  t.state.set('upstream-vhost', parts);
  return vhostDynamic;
};
