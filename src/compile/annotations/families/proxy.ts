// Timeouts, body limits, buffering and retries (ingress-nginx annotations proxy-*,
// client-body-buffer-size). Unset keys keep the ConfigMap value.

import { int, oneOf, seconds, size } from '../../values.ts';
import { parseNextUpstream } from '../../policy.ts';
import type { AnnotationFamily } from '../family.ts';

export const proxyFamily: AnnotationFamily = {
  name: 'proxy',
  apply(r, p, _server, _ing, ctx) {
    const x = p.proxy;
    const ct = r.parse('proxy-connect-timeout', seconds());
    if (ct !== undefined) x.connectTimeoutMs = ct * 1000;
    const rt = r.parse('proxy-read-timeout', seconds());
    if (rt !== undefined) x.readTimeoutMs = rt * 1000;
    const st = r.parse('proxy-send-timeout', seconds());
    if (st !== undefined) x.sendTimeoutMs = st * 1000;
    const body = r.parse('proxy-body-size', size());
    if (body !== undefined) x.bodySizeLimit = body;
    const bs = r.parse('proxy-buffer-size', size());
    if (bs !== undefined) x.bufferSize = bs;
    const cb = r.parse('client-body-buffer-size', size());
    if (cb !== undefined) x.clientBodyBufferSize = cb;
    const buffering = r.parse('proxy-buffering', oneOf(['on', 'off']));
    if (buffering !== undefined) x.buffering = buffering === 'on';
    const reqBuffering = r.parse('proxy-request-buffering', oneOf(['on', 'off']));
    if (reqBuffering !== undefined) x.requestBuffering = reqBuffering === 'on';
    const version = r.parse('proxy-http-version', oneOf(['1.0', '1.1']));
    if (version !== undefined) x.httpVersion = version;
    const nu = r.raw('proxy-next-upstream');
    if (nu !== undefined) {
      const parsed = parseNextUpstream(nu, ctx.cfg['retry-non-idempotent']);
      if (typeof parsed === 'string') r.error('proxy-next-upstream', nu, parsed);
      else x.nextUpstream = parsed;
    }
    const tries = r.parse('proxy-next-upstream-tries', int(0, 100));
    if (tries !== undefined) x.tries = tries;
    const nut = r.parse('proxy-next-upstream-timeout', seconds());
    if (nut !== undefined) x.nextUpstreamTimeoutMs = nut * 1000;
  },
};
