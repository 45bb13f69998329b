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
    this.endpoint = null;
    this.backend = null;
    this.intercept = null;
    this.errorBackend = null;
    this.resumeAt = 0;
    this.onEndpoint = null;
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
