// Faults on demand. Request-level faults (failNext, stall) are consulted by the server for
// each API request; connection-level ones (drop/end watches, down/up, compaction) act
// through hooks the server hands in.

import { matchesFilter, type RequestFilter, type RequestRecord } from './request-log.ts';

export interface FaultHooks {
  dropWatches(filter?: RequestFilter): number;
  endWatches(filter?: RequestFilter): number;
  compact(): number;
  down(): Promise<void>;
  up(): Promise<void>;
}

interface FailRule {
  remaining: number;
  status: number;
  filter?: RequestFilter;
}

interface StallRule {
  until: number;
  filter?: RequestFilter;
}

export class Faults {
  private readonly hooks: FaultHooks;
  private failRules: FailRule[] = [];
  private stallRules: StallRule[] = [];

  constructor(hooks: FaultHooks) {
    this.hooks = hooks;
  }

  /** The next `n` API requests (matching `filter`) fail with `status` and a Status body. */
  failNext(n: number, status = 500, filter?: RequestFilter): void {
    if (!Number.isInteger(n) || n < 1) throw new Error('failNext: n must be a positive integer');
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error('failNext: status must be 4xx or 5xx');
    this.failRules.push({ remaining: n, status, filter });
  }

  /** API requests (matching `filter`) arriving in the next `ms` hang until the stall ends. */
  stall(ms: number, filter?: RequestFilter): void {
    if (!(ms > 0) || ms > 600_000) throw new Error('stall: ms must be in (0, 600000]');
    this.stallRules.push({ until: Date.now() + ms, filter });
  }

  /** Abruptly destroys the connections of open watches; returns how many. */
  dropWatches(filter?: RequestFilter): number {
    return this.hooks.dropWatches(filter);
  }

  /** Ends open watches cleanly, like a server-side watch timeout; returns how many. */
  endWatches(filter?: RequestFilter): number {
    return this.hooks.endWatches(filter);
  }

  /** Forgets change history: watches and Exact lists from any older resourceVersion get 410. Returns the compacted RV. */
  compact(): number {
    return this.hooks.compact();
  }

  /** Stops listening and cuts every connection: clients get ECONNREFUSED until up(). */
  down(): Promise<void> {
    return this.hooks.down();
  }

  /** Listens again on the same address and port. */
  up(): Promise<void> {
    return this.hooks.up();
  }

  /** Clears pending failNext and stall rules. */
  reset(): void {
    this.failRules = [];
    this.stallRules = [];
  }

  /** The status to fail this request with, consuming one from the first matching rule. */
  takeFailure(r: RequestRecord): number | undefined {
    const rule = this.failRules.find((x) => x.remaining > 0 && matchesFilter(r, x.filter));
    if (!rule) return undefined;
    rule.remaining--;
    this.failRules = this.failRules.filter((x) => x.remaining > 0);
    return rule.status;
  }

  /** How long this request must hang (0 for not at all). */
  stallFor(r: RequestRecord): number {
    const now = Date.now();
    this.stallRules = this.stallRules.filter((x) => x.until > now);
    let ms = 0;
    for (const rule of this.stallRules) if (matchesFilter(r, rule.filter)) ms = Math.max(ms, rule.until - now);
    return ms;
  }
}
