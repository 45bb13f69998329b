// What the policy steps decide for one request: either a local response (redirect, 401, 403,
// CORS preflight...) or changes to the proxied request and its response. One instance per
// connection (or HTTP/2 stream), reset per request: no allocation when no policy applies.

import type { BackendRuntime, EndpointRuntime } from '../upstream/backends.ts';

export class Decision {
  /** Local response status; 0 = proxy the request. */
  status = 0;
  /** Extra header lines ("Name: value\r\n") of the local response. */
  headers = '';
  /** Local response body and its type ('' = the standard error page for status >= 400). */
  body = '';
  contentType = '';
  /** Request target (path + query) sent upstream instead of the original. */
  target: string | null = null;
  /** Host header sent upstream instead of the original. */
  upstreamHost: string | null = null;
  /** Header lines appended to the upstream request. */
  addHeaders = '';
  /** Lower-case header names removed from the upstream request. */
  dropHeaders: string[] | null = null;
  /** Header lines appended to the response the client gets (proxied or local). */
  responseHeaders = '';
  /**
   * Header lines appended only when the final status is a success or redirect, as nginx's
   * add_header without "always" (see addHeaderApplies): Set-Cookie from external auth.
   */
  responseHeadersOk = '';
  /** The asynchronous step in progress for this request; a late answer for another is ignored. */
  pending: object | null = null;
  /** Why a step answered with an error status (recorded with the exchange in the access log). */
  error = '';
  /** Lower-case names removed from the upstream's response (headers a policy replaces, as nginx's more_set_headers). Shared, never mutated. */
  dropResponseHeaders: readonly string[] | null = null;
  /** Endpoint chosen by a policy (session affinity), tried first. */
  endpoint: EndpointRuntime | null = null;
  /** Backend used instead of the route's (default-backend when the Service has no endpoints). */
  backend: BackendRuntime | null = null;
  /** Upstream statuses answered by the error backend instead (custom-http-errors). */
  intercept: readonly number[] | null = null;
  /** Where intercepted statuses go; null = ingress-nginx's built-in default server (404). */
  errorBackend: BackendRuntime | null = null;
  /** Step index to resume at after an asynchronous step (external auth). */
  resumeAt = 0;
  /** Set by a step that wants the response-phase hook (e.g. affinity cookie on the chosen endpoint). */
  onEndpoint: ((d: Decision, ep: EndpointRuntime) => void) | null = null;
  /** Retries go to `endpoint` too, not to another endpoint (affinity without change-on-failure). */
  pinEndpoint = false;
  /** Session affinity (steps/affinity.ts): the live endpoint the request's cookie names, if any. */
  stickyEndpoint: EndpointRuntime | null = null;
  /** Session affinity: cookie attribute variant for this request (bit 1 Secure, bit 2 no SameSite). */
  stickyFlags = 0;

  reset(): void {
    this.status = 0;
    this.headers = '';
    this.body = '';
    this.contentType = '';
    this.target = null;
    this.upstreamHost = null;
    this.addHeaders = '';
    this.dropHeaders = null;
    this.responseHeaders = '';
    this.responseHeadersOk = '';
    this.pending = null;
    this.error = '';
    this.dropResponseHeaders = null;
    this.endpoint = null;
    this.backend = null;
    this.intercept = null;
    this.errorBackend = null;
    this.resumeAt = 0;
    this.onEndpoint = null;
    this.pinEndpoint = false;
    this.stickyEndpoint = null;
    this.stickyFlags = 0;
  }

  /** Answers locally with a redirect. */
  redirect(status: number, location: string): void {
    this.status = status;
    this.headers += `Location: ${location}\r\n`;
  }

  drop(lowerName: string): void {
    (this.dropHeaders ??= []).push(lowerName);
  }
}

/** Statuses nginx's add_header applies to without "always". */
export function addHeaderApplies(status: number): boolean {
  switch (status) {
    case 200:
    case 201:
    case 204:
    case 206:
    case 301:
    case 302:
    case 303:
    case 304:
    case 307:
    case 308:
      return true;
    default:
      return false;
  }
}
