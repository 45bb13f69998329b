// The request as policy steps see it, whatever the frontend (HTTP/1.1 connection or HTTP/2
// stream). Implemented by the frontend over its own parsed representation, without copying.

export interface RequestView {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** Host as received (may carry a port). */
  readonly host: string;
  /** Lower-case host without port. */
  readonly hostname: string;
  /** Normalised path (matching form, latin1 byte string). */
  readonly path: string;
  /** Path as received, without the query. */
  readonly rawPath: string;
  /** "?..." or "". */
  readonly query: string;
  /** Effective client address (after real-IP processing). */
  readonly clientIp: string;
  /** Port the client connected to. */
  readonly serverPort: number;
  /** The HTTPS listener's port (use-port-in-redirects); absent means 443. */
  readonly httpsPort?: number;
  /** All values of a header (lower-case name) joined by ", ", or null. */
  header(lowerName: string): string | null;
  /** Every header as [name, value] pairs (for external auth, which forwards them). */
  headerList(): [string, string][];
}

/** Returned by policy steps. */
export const CONTINUE = 0;
export const RESPOND = 1;
export const ASYNC = 2;
export type StepResult = typeof CONTINUE | typeof RESPOND | typeof ASYNC;

/** Implemented by the frontend: called when an asynchronous step has finished. */
export interface PolicyHost {
  resumePolicies(): void;
  /** The request is gone (client closed): async steps should drop their result. */
  readonly aborted: boolean;
}
