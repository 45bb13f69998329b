// The request's client address parsed for CIDR matching. Frontends reuse one RequestView per
// connection, so the parsed form is cached per view and only re-parsed when the text changes
// (a new connection, or a different X-Forwarded-For client).

import { IpAddress, parseIp } from '../../net/ip.ts';
import type { RequestView } from './request-view.ts';

interface Cached {
  text: string;
  addr: IpAddress | null;
}

const cache = new WeakMap<RequestView, Cached>();

/** The parsed client address, or null when it is not an IP address. */
export function clientAddress(req: RequestView): IpAddress | null {
  const text = req.clientIp;
  let c = cache.get(req);
  if (c === undefined) {
    c = { text: '', addr: null };
    cache.set(req, c);
  } else if (c.text === text) {
    return c.addr;
  }
  c.text = text;
  c.addr = parseIp(text, c.addr ?? new IpAddress(), true);
  return c.addr;
}
