// Kubernetes Events (events.k8s.io/v1) on the objects compile has something to say about, so
// `kubectl describe ingress` shows why a path answers 503:
//   Normal  Sync     once per generation of each Ingress sluice serves ("accepted: 3 routes ...")
//   Warning <reason> each error/warning diagnostic (invalid annotation, missing Service, Secret
//                    problems, path conflicts ...), with the field and the reason in the note
//
// Policy:
//   - Only the leader emits. Every replica compiles the same objects to the same diagnostics,
//     so one voice is enough; N replicas each emitting (as ingress-nginx does) would put N copies
//     of every problem on the object. A new leader re-emits the problems current at take-over.
//   - An Event is emitted when a problem appears (it was not in the previous compile), not on
//     every compile. If the same object+reason+note appears again later, the existing Event's
//     series count is updated instead of creating another — at most once per `seriesIntervalMs`
//     (pending counts are flushed later).
//   - Writes are rate-limited (token bucket) and queued, Warnings before Normal ones; a full
//     queue drops (counted in metrics) rather than growing without bound.
//   - Compiles during which an annotation-referenced Secret was still being fetched are skipped
//     (they would report "Secret not found" for a Secret that exists).
// events.k8s.io/v1 rather than core/v1: it has `regarding`, `note`, `action`, the reporting
// controller and instance, and series for repeats; the API serves both as the same objects, so
// `kubectl describe` and `kubectl get events` show them either way.

import { randomBytes } from 'node:crypto';
import type { CompileResult, IngressReport } from '../compile/compile.ts';
import { objectKey, type KubeObject } from '../model/k8s.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import { ApiError, describeError, MERGE_PATCH, type KubeApi } from '../sources/kubernetes/api-client.ts';
import { collectionPath, objectPath } from '../sources/kubernetes/resources.ts';
import { microTime } from './micro-time.ts';
import { TokenBucket } from './token-bucket.ts';

export interface EventRecorderOptions {
  reportingController: string;
  reportingInstance: string;
  rate?: number;
  burst?: number;
  seriesIntervalMs?: number;
}

export interface EventObserver {
  emitted?(type: 'Normal' | 'Warning', reason: string, result: 'created' | 'series' | 'error' | 'dropped'): void;
}

interface Regarding {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion?: string;
}

interface Candidate {
  regarding: Regarding;
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  /** Built only when the Event is written (10,000 Sync notes per compile would be wasted). */
  note: string | (() => string);
}

/** A closure over the report alone (not over a compile's candidate map, which it would keep alive). */
function syncNote(controller: string, r: IngressReport): () => string {
  return () => {
    const hosts = r.hosts.map((h) => (h === '_' ? '(any host)' : h));
    const problems = r.errors > 0 ? `; ${r.errors} error${r.errors > 1 ? 's' : ''}, see the Warning events` : '';
    return truncate(`Accepted by ${controller} (generation ${r.generation ?? '?'}): ${r.routes} route${r.routes === 1 ? '' : 's'}${hosts.length > 0 ? ` on ${hosts.join(', ')}` : ''}${problems}`, NOTE_MAX_BYTES);
  };
}

function regardingOf(o: KubeObject): Regarding | null {
  const m = o.metadata;
  if (!m.uid) return null;
  const r: Regarding = { apiVersion: o.apiVersion, kind: o.kind, name: m.name, uid: m.uid };
  if (m.namespace !== undefined) r.namespace = m.namespace;
  if (m.resourceVersion !== undefined) r.resourceVersion = m.resourceVersion;
  return r;
}

function noteOf(c: Candidate): string {
  if (typeof c.note === 'function') c.note = c.note();
  return c.note;
}

interface EventRecord {
  namespace: string;
  name: string | null;
  count: number;
  lastWrite: number;
  dirty: boolean;
  c: Candidate;
}

const EVENTS_API = 'events.k8s.io/v1';
const MAX_QUEUE = 1000;
const MAX_RECORDS = 20_000;
const NOTE_MAX_BYTES = 1024;
const FLUSH_MS = 30_000;

function truncate(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s.slice(0, max);
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, -1);
  return `${out}...`;
}

export class EventRecorder {
  readonly #api: KubeApi;
  readonly #store: Store;
  readonly #opts: EventRecorderOptions;
  readonly #log: Logger;
  readonly #obs: EventObserver;
  readonly #bucket: TokenBucket;
  readonly #seriesMs: number;
  #leader = false;
  #last: CompileResult | null = null;
  #active = new Set<string>();
  readonly #records = new Map<string, EventRecord>();
  readonly #warnings: string[] = [];
  readonly #normals: string[] = [];
  readonly #queued = new Set<string>();
  #working = false;
  #flush: NodeJS.Timeout;
  #stopped = false;

  constructor(api: KubeApi, store: Store, opts: EventRecorderOptions, log: Logger, obs: EventObserver = {}) {
    this.#api = api;
    this.#store = store;
    this.#opts = opts;
    this.#log = log;
    this.#obs = obs;
    this.#bucket = new TokenBucket(opts.rate ?? 10, opts.burst ?? 50);
    this.#seriesMs = opts.seriesIntervalMs ?? 5 * 60_000;
    this.#flush = setInterval(() => this.#flushSeries(), Math.min(FLUSH_MS, this.#seriesMs));
    this.#flush.unref();
  }

  setLeader(leader: boolean): void {
    this.#leader = leader;
    this.#active = new Set();
    if (leader && this.#last) this.#process(this.#last);
  }

  /** `settled`: every Secret the compile looked up had been fetched. */
  onCompiled(result: CompileResult, settled: boolean): void {
    if (!settled) return;
    this.#last = result;
    if (this.#leader) this.#process(result);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#flush);
    this.#bucket.stop();
  }

  /** Current Events by deduplication key (null: already active, nothing to build). */
  #candidates(result: CompileResult): Map<string, Candidate | null> {
    const out = new Map<string, Candidate | null>();
    // Deduplication keys: object + reason + note for problems, object + generation for Sync.
    for (const r of result.ingresses) {
      if (!r.ours) continue;
      const obj = this.#store.get('Ingress', r.key);
      const uid = obj?.metadata.uid;
      if (!obj || !uid) continue;
      const k = `${uid}\0Sync\0${r.generation ?? obj.metadata.resourceVersion}`;
      // Only a new occurrence needs the candidate itself.
      out.set(k, this.#active.has(k) ? null : { regarding: regardingOf(obj)!, type: 'Normal', reason: 'Sync', action: 'Sync', note: syncNote(this.#opts.reportingController, r) });
    }
    for (const d of result.diagnostics) {
      if (d.severity === 'info') continue;
      const obj = this.#store.get(d.object.kind, objectKey(d.object.kind, d.object.namespace, d.object.name));
      if (!obj) continue;
      const regarding = regardingOf(obj);
      if (!regarding) continue;
      const note = truncate(`${d.field ? `${d.field}: ` : ''}${d.message}`, NOTE_MAX_BYTES);
      out.set(`${regarding.uid}\0${d.reason}\0${note}`, { regarding, type: 'Warning', reason: d.reason, action: 'Validate', note });
    }
    return out;
  }

  #process(result: CompileResult): void {
    const current = this.#candidates(result);
    for (const [k, c] of current) if (c && !this.#active.has(k)) this.#occurred(k, c);
    this.#active = new Set(current.keys());
  }

  #occurred(k: string, c: Candidate): void {
    let rec = this.#records.get(k);
    if (!rec) {
      if (this.#records.size >= MAX_RECORDS) this.#records.delete(this.#records.keys().next().value!);
      rec = { namespace: c.regarding.namespace ?? 'default', name: null, count: 1, lastWrite: 0, dirty: true, c };
      this.#records.set(k, rec);
      this.#enqueue(k, c.type);
      return;
    }
    rec.count++;
    rec.c = c;
    rec.dirty = true;
    if (Date.now() - rec.lastWrite >= this.#seriesMs) this.#enqueue(k, c.type);
  }

  #flushSeries(): void {
    if (!this.#leader) return;
    const now = Date.now();
    for (const [k, rec] of this.#records) {
      if (!rec.dirty) continue;
      // A series update is due, or a create that failed is retried.
      if (now - rec.lastWrite >= (rec.name === null ? FLUSH_MS : this.#seriesMs)) this.#enqueue(k, rec.c.type);
    }
  }

  #enqueue(k: string, type: 'Normal' | 'Warning'): void {
    if (this.#queued.has(k)) return;
    // Warnings are few and urgent; Sync Events (one per Ingress at start-up) may queue up to the
    // record limit and trickle out at the rate limit.
    if ((type === 'Warning' ? this.#warnings.length >= MAX_QUEUE : this.#normals.length >= MAX_RECORDS)) {
      this.#obs.emitted?.(type, this.#records.get(k)?.c.reason ?? '', 'dropped');
      return;
    }
    this.#queued.add(k);
    (type === 'Warning' ? this.#warnings : this.#normals).push(k);
    if (!this.#working) void this.#work();
  }

  async #work(): Promise<void> {
    this.#working = true;
    try {
      while (!this.#stopped && this.#leader) {
        const k = this.#warnings.shift() ?? this.#normals.shift();
        if (k === undefined) break;
        await this.#bucket.take();
        this.#queued.delete(k);
        const rec = this.#records.get(k);
        if (rec && rec.dirty && this.#leader) await this.#write(rec);
      }
    } finally {
      this.#working = false;
    }
    if (!this.#leader) {
      this.#warnings.length = 0;
      this.#normals.length = 0;
      this.#queued.clear();
    }
  }

  async #write(rec: EventRecord): Promise<void> {
    const c = rec.c;
    const now = microTime();
    rec.dirty = false;
    rec.lastWrite = Date.now();
    try {
      if (rec.name !== null) {
        try {
          await this.#api.request('PATCH', objectPath(EVENTS_API, 'events', rec.namespace, rec.name), {
            contentType: MERGE_PATCH,
            body: { series: { count: rec.count, lastObservedTime: now } },
          });
          this.#obs.emitted?.(c.type, c.reason, 'series');
          return;
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
          rec.count = 1; // expired (Events live an hour by default): start a new one
        }
      }
      const name = `${c.regarding.name}.${randomBytes(8).toString('hex')}`;
      await this.#api.request('POST', collectionPath(EVENTS_API, 'events', rec.namespace), {
        body: {
          apiVersion: EVENTS_API,
          kind: 'Event',
          metadata: { name, namespace: rec.namespace },
          eventTime: now,
          reportingController: this.#opts.reportingController,
          reportingInstance: this.#opts.reportingInstance,
          action: c.action,
          reason: c.reason,
          type: c.type,
          note: noteOf(c),
          regarding: c.regarding,
        },
      });
      rec.name = name;
      this.#obs.emitted?.(c.type, c.reason, 'created');
    } catch (err) {
      rec.dirty = true;
      this.#obs.emitted?.(c.type, c.reason, 'error');
      this.#log.warn({ reason: c.reason, object: `${c.regarding.kind} ${c.regarding.namespace ?? ''}/${c.regarding.name}`, err: describeError(err) }, 'cannot write Event');
    }
  }
}
