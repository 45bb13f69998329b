// One list+watch loop for one resource (and optional selectors), written on client-node's
// `Watch` rather than its informer because sluice needs what the informer does not do:
// bookmarks (fewer 410s on quiet resources), paginated lists, a transform before anything is
// cached (the informer keeps its own full copy of every object), one `replace` per re-list so the
// store can drop what was deleted meanwhile, and restarts after ANY error (the informer stops).
//
// The loop: list (paged, no resourceVersion: a consistent read) → replace → watch from the
// list's resourceVersion with bookmarks → on a clean end or idle timeout, watch again from the
// last resourceVersion seen → on 410 Gone (history compacted), list again → on any other error,
// wait (capped exponential backoff with jitter) and resume from the last resourceVersion.

import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../model/k8s.ts';
import type { Logger } from '../../log/logger.ts';
import { ApiError, describeError, type Json, type KubeApi, type WatchFailed, type WatchHandle } from './api-client.ts';
import { Backoff, sleep } from './backoff.ts';
import { collectionPath, transform, type Resource } from './resources.ts';

export interface ReflectorSink {
  /** Everything that exists, after a (re-)list: objects not in `objects` are gone. */
  replace(objects: KubeObject[]): void;
  upsert(obj: KubeObject): void;
  remove(namespace: string | undefined, name: string): void;
}

export interface ReflectorSpec {
  /** Names this loop in logs, metrics and health reasons ("ingresses", "secrets (tls)"). */
  id: string;
  /** Metrics label; bounded (named watches share one). */
  metricsLabel?: string;
  resource: Resource;
  /** null: all namespaces (always for cluster-scoped kinds). */
  namespace: string | null;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ReflectorObserver {
  listed?(label: string, count: number, ms: number): void;
  event?(label: string, type: string): void;
  failed?(label: string, reason: string): void;
}

export interface ReflectorState {
  id: string;
  synced: boolean;
  resourceVersion: string;
  lastError: string | null;
}

const PAGE_SIZE = 500;
const LIST_TIMEOUT_MS = 60_000;

class Gone extends Error {}

export class Reflector {
  readonly spec: ReflectorSpec;
  readonly synced: Promise<void>;
  readonly #api: KubeApi;
  readonly #sink: ReflectorSink;
  readonly #log: Logger;
  readonly #obs: ReflectorObserver;
  readonly #path: string;
  readonly #backoff = new Backoff();
  readonly #stop = new AbortController();
  #rv = '';
  #synced = false;
  #markSynced!: () => void;
  #watch: WatchHandle | null = null;
  #lastError: string | null = null;
  #running: Promise<void> | null = null;

  constructor(api: KubeApi, spec: ReflectorSpec, sink: ReflectorSink, log: Logger, obs: ReflectorObserver = {}) {
    this.#api = api;
    this.spec = spec;
    this.#sink = sink;
    this.#log = log;
    this.#obs = obs;
    const ns = spec.resource.namespaced ? spec.namespace : null;
    this.#path = collectionPath(spec.resource.apiVersion, spec.resource.plural, ns);
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  get label(): string {
    return this.spec.metricsLabel ?? this.spec.id;
  }

  get state(): ReflectorState {
    return { id: this.spec.id, synced: this.#synced, resourceVersion: this.#rv, lastError: this.#lastError };
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Ends the loop; no sink call happens after the returned promise resolves. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#watch?.abort();
    await this.#running;
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #run(): Promise<void> {
    let goneInARow = 0;
    while (!this.#stopped) {
      try {
        if (this.#rv === '') await this.#list();
        const progressed = await this.#watchOnce();
        goneInARow = 0;
        if (progressed) {
          this.#backoff.reset();
          this.#lastError = null;
        } else {
          // Ended at once with nothing delivered: do not spin on a server that does that.
          await sleep(this.#backoff.next(), this.#stop.signal);
        }
      } catch (err) {
        if (this.#stopped) break;
        if (err instanceof Gone || (err instanceof ApiError && err.code === 410)) {
          // History compacted (or a continue token expired): list again. Normally at once;
          // repeated 410s back off like any error.
          this.#rv = '';
          this.#obs.failed?.(this.label, 'gone');
          if (err instanceof Gone && err.message !== '410 Gone') this.#log.warn({ resource: this.spec.id }, `listing again: ${err.message}`);
          else this.#log.info({ resource: this.spec.id }, 'watch history expired (410 Gone); listing again');
          if (++goneInARow > 1) await sleep(this.#backoff.next(), this.#stop.signal);
          continue;
        }
        const reason = describeError(err);
        const delay = this.#backoff.next();
        this.#lastError = reason;
        this.#obs.failed?.(this.label, err instanceof ApiError || (err as WatchFailed).status ? 'http' : 'connection');
        const level = this.#backoff.attempts > 3 ? 'warn' : 'info';
        this.#log[level]({ resource: this.spec.id, err: reason, retryInMs: delay, resumeFrom: this.#rv || null }, 'API request failed; retrying');
        await sleep(delay, this.#stop.signal);
      }
    }
  }

  async #list(): Promise<void> {
    const t0 = performance.now();
    const objects: KubeObject[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.#api.request<{ metadata?: { resourceVersion?: string; continue?: string }; items?: Json[] }>('GET', this.#path, {
        query: { limit: String(PAGE_SIZE), continue: cont, labelSelector: this.spec.labelSelector, fieldSelector: this.spec.fieldSelector },
        timeoutMs: LIST_TIMEOUT_MS,
      });
      if (this.#stopped) return;
      for (const raw of page.items ?? []) {
        const t = transform(this.spec.resource, raw);
        if (t.ok) objects.push(t.object);
        else this.#invalid(t);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? '';
    } while (cont);
    this.#sink.replace(objects);
    this.#rv = rv;
    this.#lastError = null;
    const ms = performance.now() - t0;
    this.#obs.listed?.(this.label, objects.length, ms);
    this.#log.debug({ resource: this.spec.id, objects: objects.length, resourceVersion: rv, ms: Math.round(ms) }, 'listed');
    if (!this.#synced) {
      this.#synced = true;
      this.#markSynced();
    }
  }

  #invalid(t: { error: string; namespace?: string; name?: string }): void {
    this.#log.warn({ resource: this.spec.id, namespace: t.namespace, name: t.name }, `object ignored: ${t.error}`);
  }

  /** Resolves when the stream ends cleanly (true if it delivered anything); rejects on errors. */
  #watchOnce(): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const started = performance.now();
      let progressed = false;
      let gone = false;
      let failure: string | null = null;
      let broken: Error | null = null;
      const onEvent = (type: string, obj: Json): void => {
        // client-node swallows exceptions thrown from here (as JSON parse errors): catch them,
        // and list again rather than go on with an event lost.
        try {
          handle(type, obj);
        } catch (err) {
          if (broken) return;
          broken = err as Error;
          this.#log.error({ resource: this.spec.id, err: (err as Error).stack }, 'watch event handling failed; listing again');
          this.#watch?.abort();
        }
      };
      const handle = (type: string, obj: Json): void => {
        if (this.#stopped || broken) return;
        const meta = (obj?.metadata ?? {}) as { resourceVersion?: string; namespace?: string; name?: string };
        switch (type) {
          case 'ADDED':
          case 'MODIFIED': {
            const t = transform(this.spec.resource, obj);
            if (t.ok) this.#sink.upsert(t.object);
            else {
              this.#invalid(t);
              if (meta.name) this.#sink.remove(meta.namespace, meta.name);
            }
            break;
          }
          case 'DELETED':
            if (meta.name) this.#sink.remove(meta.namespace, meta.name);
            break;
          case 'BOOKMARK':
            break;
          case 'ERROR': {
            const st = obj as { code?: number; message?: string };
            if (st.code === 410) gone = true;
            else failure = `watch error ${st.code ?? ''}: ${st.message ?? 'unknown'}`;
            return;
          }
          default:
            return;
        }
        if (meta.resourceVersion) this.#rv = meta.resourceVersion;
        if (!progressed) this.#backoff.reset(); // the stream works again
        progressed = true;
        this.#obs.event?.(this.label, type);
      };
      let ended = false;
      const onDone = (err: WatchFailed | null): void => {
        ended = true;
        this.#watch = null;
        if (broken) return reject(new Gone('event handling failed'));
        if (gone || err?.status === 410) return reject(new Gone('410 Gone'));
        if (failure !== null) return reject(new Error(failure));
        if (err === null) return resolve(progressed || performance.now() - started > 5000);
        // A silent stream (client-node's inactivity timeout): reconnect from the last RV.
        if (err.idle) return resolve(true);
        reject(err);
      };
      const timeoutSeconds = String(300 + Math.floor(Math.random() * 300));
      this.#api
        .watch(this.#path, { resourceVersion: this.#rv, allowWatchBookmarks: 'true', timeoutSeconds, labelSelector: this.spec.labelSelector, fieldSelector: this.spec.fieldSelector }, onEvent, onDone)
        .then(
          (h) => {
            if (this.#stopped || broken) return h.abort();
            if (ended) return; // refused or already over
            this.#watch = h;
            this.#lastError = null; // connected: the answer was 200
          },
          reject,
        );
    });
  }
}
