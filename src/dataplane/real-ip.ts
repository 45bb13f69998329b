// The client address and the forwarded scheme/host/port of a request, as ingress-nginx computes
// them (nginx.tmpl realip settings, lua_ingress.lua rewrite):
//
//  - use-proxy-protocol: the PROXY header's source address, when the TCP peer is a trusted proxy
//    (real_ip_header proxy_protocol); a PROXY destination port of 443 makes the scheme https;
//  - else use-forwarded-headers or enable-real-ip: X-Forwarded-For (or forwarded-for-header),
//    walked right to left over trusted proxies (real_ip_recursive on), starting only when the
//    TCP peer itself is trusted;
//  - use-forwarded-headers also takes X-Forwarded-Proto, X-Forwarded-Port and the first
//    X-Forwarded-Host as the scheme, port and host passed upstream.
//
// Trusted proxies are proxy-real-ip-cidr (default 0.0.0.0/0: every IPv4 peer, and no IPv6 peer,
// exactly as nginx's set_real_ip_from 0.0.0.0/0). Built once per ConfigMap; null when all three
// settings are off, so the connection keeps its plain fast path.

import type { GlobalConfig } from '../compile/config.ts';
import { CidrSet, parseCidr, type Cidr } from '../net/cidr.ts';
import { IpAddress, parseIp } from '../net/ip.ts';
import type { RequestHead } from './http1/request-head.ts';
import type { ProxyInfo } from './proxy-protocol/parse.ts';

/** The request headers real-IP processing reads (an HTTP/1.1 RequestHead has them pre-parsed). */
export type ForwardedHeaders = Pick<RequestHead, 'xForwardedFor' | 'xForwardedProto' | 'xForwardedHost' | 'xForwardedPort' | 'head'> & {
  readonly headers: { get(head: string, lowerName: string): string | null };
};

/** What real-IP processing reads from and writes to a connection or stream (Http1Connection has these). */
export interface ForwardedState {
  readonly peerIp: string;
  readonly proxy: ProxyInfo | null;
  readonly scheme: 'http' | 'https';
  readonly req: ForwardedHeaders;
  /** $remote_addr after realip. */
  clientIp: string;
  /** Address appended to X-Forwarded-For ($realip_remote_addr, or the PROXY source). */
  hopIp: string;
  /** $pass_access_scheme: X-Forwarded-Proto / X-Forwarded-Scheme / X-Scheme upstream. */
  forwardedProto: string;
  /** $best_http_host when it differs from Host ('' = Host). */
  forwardedHost: string;
  /** $pass_port ('' = the listener's port). */
  forwardedPort: string;
}

export class RealIp {
  readonly #trusted: CidrSet;
  /** Lower-case forwarded-for-header name, or '' with use-proxy-protocol (the header is not used). */
  readonly #header: string;
  readonly #forwarded: boolean;
  readonly #proxyProtocol: boolean;
  readonly #httpsPort: string;
  readonly #addr = new IpAddress();
  #lastPeer = '';
  #lastPeerTrusted = false;

  constructor(cfg: GlobalConfig, httpsPort: number) {
    const cidrs: Cidr[] = [];
    for (const e of cfg['proxy-real-ip-cidr']) {
      const c = parseCidr(e);
      if (c !== null) cidrs.push(c);
    }
    this.#trusted = new CidrSet(cidrs);
    this.#proxyProtocol = cfg['use-proxy-protocol'];
    this.#forwarded = cfg['use-forwarded-headers'];
    this.#header = this.#proxyProtocol ? '' : cfg['forwarded-for-header'].trim().toLowerCase();
    this.#httpsPort = String(httpsPort);
  }

  /** The processor for a config, or null when the socket peer is the client and nothing is forwarded. */
  static for(cfg: GlobalConfig, httpsPort: number): RealIp | null {
    if (!cfg['use-forwarded-headers'] && !cfg['enable-real-ip'] && !cfg['use-proxy-protocol']) return null;
    return new RealIp(cfg, httpsPort);
  }

  /** Is this address (text) a trusted proxy? One-entry cache: consecutive requests share a peer. */
  #peerTrusted(peer: string): boolean {
    if (peer === this.#lastPeer) return this.#lastPeerTrusted;
    const a = parseIp(peer, this.#addr, true);
    const t = a !== null && this.#trusted.has(a);
    this.#lastPeer = peer;
    this.#lastPeerTrusted = t;
    return t;
  }

  apply(c: ForwardedState): void {
    const req = c.req;
    const pp = c.proxy;
    const peer = c.peerIp;
    let client = peer;
    if (this.#proxyProtocol) {
      if (pp !== null && this.#peerTrusted(peer)) client = pp.srcAddr;
    } else {
      const value = this.#header === 'x-forwarded-for' ? req.xForwardedFor : (req.headers.get(req.head, this.#header) ?? '');
      if (value !== '' && this.#peerTrusted(peer)) client = this.#walk(value, peer);
    }
    c.clientIp = client;
    c.hopIp = pp !== null ? pp.srcAddr : peer;

    let proto: string = c.scheme;
    let port = '';
    let host = '';
    if (this.#forwarded) {
      if (req.xForwardedProto !== '') proto = req.xForwardedProto;
      if (req.xForwardedPort !== '') port = req.xForwardedPort;
      if (req.xForwardedHost !== '') {
        const comma = req.xForwardedHost.indexOf(',');
        host = comma < 0 ? req.xForwardedHost : req.xForwardedHost.slice(0, comma);
      }
    }
    if (pp !== null) {
      if (pp.dstPort === 443) proto = 'https';
      if (port === '') port = String(pp.dstPort);
    }
    // $pass_port: the HTTPS listener's port is reported as 443.
    if (port !== '' && port === this.#httpsPort) port = '443';
    c.forwardedProto = proto;
    c.forwardedPort = port;
    c.forwardedHost = host;
  }

  /**
   * nginx's ngx_http_get_forwarded_addr with real_ip_recursive on: from the right, each entry
   * replaces the address while the current address is a trusted proxy; an entry that is not an
   * address (optionally with a port) stops the walk.
   */
  #walk(list: string, peer: string): string {
    let addr = peer;
    let end = list.length;
    for (;;) {
      while (end > 0 && (list.charCodeAt(end - 1) === 32 || list.charCodeAt(end - 1) === 44)) end--;
      if (end === 0) return addr;
      let start = end;
      while (start > 0 && list.charCodeAt(start - 1) !== 32 && list.charCodeAt(start - 1) !== 44) start--;
      const a = parseEntry(list, start, end, this.#addr);
      if (a === null) return addr;
      addr = a.toString();
      if (!this.#trusted.has(a)) return addr;
      end = start;
    }
  }
}

/** An address with an optional port ("1.2.3.4", "1.2.3.4:80", "::1", "[::1]:80"), as ngx_parse_addr_port. */
function parseEntry(s: string, start: number, end: number, into: IpAddress): IpAddress | null {
  const whole = parseIp(s, into, true, start, end);
  if (whole !== null) return whole;
  let addrStart = start;
  let addrEnd: number;
  if (s.charCodeAt(start) === 91 /* [ */) {
    const close = s.indexOf(']', start);
    if (close < 0 || close >= end - 1 || s.charCodeAt(close + 1) !== 58) return null;
    addrStart = start + 1;
    addrEnd = close;
  } else {
    addrEnd = s.indexOf(':', start);
    if (addrEnd < 0 || addrEnd >= end) return null;
  }
  const portText = s.slice(s.charCodeAt(start) === 91 ? addrEnd + 2 : addrEnd + 1, end);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return parseIp(s, into, true, addrStart, addrEnd);
}
