// The control loop: store changes → (debounced) compile → publish to the data plane. Endpoint
// changes skip compile and go straight to the live backends. Diagnostics are logged once per
// distinct problem, not on every compile.

import { performance } from 'node:perf_hooks';
import { compile, type CompileOptions, type CompileResult } from '../compile/compile.ts';
import { resolveEndpoints } from '../compile/backends.ts';
import { formatDiagnostic, type Diagnostic } from '../compile/diagnostics.ts';
import type { Logger } from '../log/logger.ts';
import type { Endpoint, RouteTable } from '../routes/table.ts';
import type { Store, StoreChange } from '../store/store.ts';
import type { EndpointSlice, Service } from '../model/k8s.ts';

/** Where compiled tables go: the in-process data plane, or the worker processes. */
export interface TableSink {
  install(table: RouteTable): void;
  updateEndpoints(backendKey: string, endpoints: Endpoint[]): void;
}

export interface ControllerHooks {
  /** After each compile (status writers, Events, metrics). */
  compiled?(result: CompileResult, durationS: number): void;
  /** After an endpoints-only update. */
  endpointsUpdated?(backendKey: string, endpoints: Endpoint[]): void;
}

export interface ControllerOptions {
  compile: CompileOptions;
  /** Delay that coalesces bursts of changes (bounded at 1 s since the first pending change). */
  debounceMs: number;
  maxDelayMs: number;
}

export class Controller {
  readonly store: Store;
  readonly #opts: ControllerOptions;
  readonly #log: Logger;
  readonly #sinks: TableSink[] = [];
  readonly #hooks: ControllerHooks;
  #generation = 0;
  #result: CompileResult | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** The pending timer is a leading-edge compile (due at once): later changes ride along. */
  #leading = false;
  /** When the last compile finished (ms since epoch). */
  #lastCompile = 0;
  #firstPending = 0;
  #logged = new Set<string>();
  #gated = true;
  #compiles = 0;
  #endpointUpdates = 0;

  constructor(store: Store, opts: ControllerOptions, log: Logger, hooks: ControllerHooks = {}) {
    this.store = store;
    this.#opts = opts;
    this.#log = log;
    this.#hooks = hooks;
    store.onChange((c) => this.#onChange(c));
  }

  get result(): CompileResult | null {
    return this.#result;
  }

  get table(): RouteTable | null {
    return this.#result?.table ?? null;
  }

  get compiles(): number {
    return this.#compiles;
  }

  get endpointUpdates(): number {
    return this.#endpointUpdates;
  }

  addSink(sink: TableSink): void {
    this.#sinks.push(sink);
  }

  /**
   * Compiles now and lifts the gate: before this, changes only accumulate (the sources have not
   * finished their initial lists, and no table may be published from a partial view).
   */
  compileNow(): CompileResult {
    this.#gated = false;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#leading = false;
    this.#firstPending = 0;
    const snap = this.store.snapshot();
    const t0 = performance.now();
    const result = compile(snap, this.#opts.compile, ++this.#generation, Date.now());
    const dt = (performance.now() - t0) / 1000;
    this.#compiles++;
    const prev = this.#result;
    this.#result = result;
    this.#logDiagnostics(result.diagnostics);
    if (!prev || prev.table.hash !== result.table.hash) {
      for (const s of this.#sinks) s.install(result.table);
      this.#log.info(
        { generation: result.table.generation, hash: result.table.hash, servers: result.table.servers.length, backends: Object.keys(result.table.backends).length, compileMs: Math.round(dt * 1000 * 10) / 10 },
        'route table published',
      );
    }
    this.#hooks.compiled?.(result, dt);
    this.#lastCompile = Date.now();
    return result;
  }

  /**
   * Schedules a (debounced) compile although no object changed: a source learned something
   * compile results depend on (cluster mode: a referenced Secret turned out not to exist).
   */
  requestCompile(): void {
    if (!this.#gated) this.#schedule();
  }

  #onChange(change: StoreChange): void {
    if (this.#gated) return;
    if (change.kind === 'EndpointSlice' && this.#endpointsFastPath(change)) return;
    this.#schedule();
  }

  /**
   * Leading edge, then debounce: a change after a quiet period (no compile pending, none in the
   * last debounce interval) compiles on the next turn of the event loop, so an isolated edit is
   * live without waiting; changes that follow within the interval are coalesced — each one
   * postpones the compile by the debounce, never more than maxDelayMs after the first.
   */
  #schedule(): void {
    const now = Date.now();
    if (this.#leading) return; // due at once; it reads the snapshot when it runs
    if (this.#timer === null && now - this.#lastCompile >= this.#opts.debounceMs) {
      this.#leading = true;
      this.#firstPending = now;
      this.#timer = setTimeout(this.#fire, 0);
      this.#timer.unref?.();
      return;
    }
    if (this.#firstPending === 0) this.#firstPending = now;
    if (this.#timer) clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.#opts.debounceMs, this.#firstPending + this.#opts.maxDelayMs - now));
    this.#timer = setTimeout(this.#fire, wait);
    this.#timer.unref?.();
  }

  readonly #fire = (): void => {
    this.#timer = null;
    try {
      this.compileNow();
    } catch (err) {
      // compile is total; an exception is a bug, but the last good table keeps serving.
      this.#log.error({ err: (err as Error).stack }, 'compile failed; keeping the last good route table');
    }
  };

  /**
   * An EndpointSlice changed: recompute the endpoints of the live backends of its Service and hand
   * them to the data plane, with no compile. Services no route uses need no work at all.
   */
  #endpointsFastPath(change: StoreChange): boolean {
    const table = this.#result?.table;
    if (!table) return false;
    const svcKey = this.store.serviceOfSlice(change.key);
    if (svcKey === undefined) return true;
    const slash = svcKey.indexOf('/');
    const ns = svcKey.slice(0, slash);
    const name = svcKey.slice(slash + 1);
    const svc = this.store.get('Service', svcKey) as Service | undefined;
    if (!svc) return true;
    let slices: EndpointSlice[] | null = null;
    for (const key in table.backends) {
      const b = table.backends[key]!;
      if (b.namespace !== ns || b.service !== name || b.externalName !== null) continue;
      const port = (svc.spec.ports ?? []).find((p) => (/^\d+$/.test(b.port) ? p.port === Number(b.port) : p.name === b.port));
      if (!port) continue;
      slices ??= this.store.slicesOf(svcKey);
      const eps = resolveEndpoints(slices, port);
      for (const s of this.#sinks) s.updateEndpoints(b.key, eps);
      this.#endpointUpdates++;
      this.#hooks.endpointsUpdated?.(b.key, eps);
    }
    return true;
  }

  #logDiagnostics(list: readonly Diagnostic[]): void {
    const next = new Set<string>();
    for (const d of list) {
      const line = formatDiagnostic(d);
      next.add(line);
      if (this.#logged.has(line)) continue;
      const obj = { object: d.object, field: d.field, reason: d.reason };
      if (d.severity === 'error') this.#log.error(obj, line);
      else if (d.severity === 'warning') this.#log.warn(obj, line);
      else this.#log.debug(obj, line);
    }
    this.#logged = next;
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
