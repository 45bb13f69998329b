// The request ingress-nginx's `@custom_<upstream>_<code>` location sends to the error backend
// (nginx.tmpl CUSTOM_ERRORS): same method, URI rewritten to "/" with the query string kept
// (`rewrite (.*) / break`), the client's headers passed through, Host $best_http_host, and
// X-Code, X-Format ($http_accept), X-Original-URI ($request_uri), X-Namespace, X-Ingress-Name,
// X-Service-Name, X-Service-Port, X-Request-ID and X-Forwarded-For ($remote_addr) set. Empty
// values are not sent, as nginx does with proxy_set_header.

import type { Target } from '../router.ts';
import type { RequestHead } from './request-head.ts';

/** Client headers the @custom location overrides. */
const OVERRIDDEN = ['x-code', 'x-format', 'x-original-uri', 'x-namespace', 'x-ingress-name', 'x-service-name', 'x-service-port', 'x-request-id'];

function line(name: string, value: string): string {
  return value === '' ? '' : `${name}: ${value}\r\n`;
}

export function errorPageHead(req: RequestHead, t: Target, requestId: string, clientIp: string, code: number, fallbackHost: string): string {
  const h = req.headers;
  for (const name of OVERRIDDEN) for (let i = h.find(req.head, name); i >= 0; i = h.find(req.head, name, i + 1)) h.drop[i] = 1;
  const query = req.query.length > 1 ? req.query : '';
  return (
    `${req.method} /${query} HTTP/1.1\r\nHost: ${req.host !== '' ? req.host : fallbackHost}\r\n` +
    h.kept(req.head, req.headersStart) +
    `X-Code: ${code}\r\n` +
    line('X-Format', h.get(req.head, 'accept') ?? '') +
    line('X-Original-URI', req.target) +
    line('X-Namespace', t.namespace) +
    line('X-Ingress-Name', t.ingress) +
    line('X-Service-Name', t.service) +
    line('X-Service-Port', t.servicePort) +
    line('X-Request-ID', requestId) +
    line('X-Forwarded-For', clientIp) +
    '\r\n'
  );
}
