// One open watch: a chunked HTTP response of newline-delimited JSON events. It replays
// history (or the current state as ADDED) from the requested resourceVersion, then follows
// live changes; sends BOOKMARKs when asked; ends cleanly at its timeout; and reports a
// too-old resourceVersion as an ERROR event carrying a 410 Status, as the real API does.

import type { ServerResponse } from 'node:http';
import type { Registry } from './registry.ts';
import { apiVersionOf } from './resources.ts';
import { errors, type Status } from './status.ts';
import { ExpiredError, type Change } from './store.ts';
import { eventFor, type WatchEvent, type WatchScope } from './watch-events.ts';

export interface WatchRequest extends WatchScope {
  resourceVersion: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutMs: number;
}

export interface WatchStreamOptions {
  bookmarkIntervalMs: number;
  /** Called once when the stream has ended, however it ended. */
  onClose: (stream: WatchStream) => void;
}

/** A watcher this far behind (unflushed bytes) is cut off, as the real server drops slow watchers. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class WatchStream {
  readonly request: WatchRequest;
  private readonly res: ServerResponse;
  private readonly registry: Registry;
  private readonly opts: WatchStreamOptions;
  private unsubscribe: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(registry: Registry, res: ServerResponse, request: WatchRequest, opts: WatchStreamOptions) {
    this.registry = registry;
    this.res = res;
    this.request = request;
    this.opts = opts;
  }

  start(): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.res.flushHeaders();
    this.res.on('close', () => this.finish());
    const store = this.registry.store;
    const rvParam = this.request.resourceVersion;
    try {
      if (this.request.sendInitialEvents || rvParam === '' || rvParam === '0') {
        this.sendCurrentState();
      } else {
        const rv = Number(rvParam); // validated by the handler before the stream opened
        if (rv > store.rv) return this.fail(errors.tooLargeResourceVersion(rvParam, store.rv).status);
        for (const change of store.changesSince(rv)) this.onChange(change);
      }
    } catch (e) {
      if (e instanceof ExpiredError) return this.fail(errors.expired(rvParam, e.oldest).status);
      throw e;
    }
    // Same tick as the replay above, so no change can fall between replay and subscription.
    this.unsubscribe = store.subscribe((c) => this.onChange(c));
    if (this.request.allowBookmarks) {
      this.timers.push(setInterval(() => this.bookmark(), this.opts.bookmarkIntervalMs));
    }
    this.timers.push(setTimeout(() => this.end(), this.request.timeoutMs));
  }

  /** Ends the stream cleanly (terminating chunk), like a server-side watch timeout. */
  end(): void {
    if (this.closed) return;
    this.finish();
    this.res.end();
  }

  /** Kills the connection mid-stream: the client sees a broken chunked body. */
  drop(): void {
    if (this.closed) return;
    this.finish();
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private sendCurrentState(): void {
    const { items, resourceVersion } = this.registry.list(this.request.rt, {
      namespace: this.request.namespace,
      labelSelector: this.request.label,
      fieldSelector: this.request.field,
    });
    for (const object of items) this.write({ type: 'ADDED', object });
    if (this.request.sendInitialEvents) {
      this.write({ type: 'BOOKMARK', object: this.bookmarkObject(resourceVersion, { 'k8s.io/initial-events-end': 'true' }) });
    }
  }

  private onChange(change: Change): void {
    const event = eventFor(this.request, change);
    if (event) this.write(event);
  }

  private bookmarkObject(rv: string, annotations?: Record<string, string>): unknown {
    const rt = this.request.rt;
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (annotations) metadata.annotations = annotations;
    return { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata };
  }

  private bookmark(): void {
    this.write({ type: 'BOOKMARK', object: this.bookmarkObject(String(this.registry.store.rv)) });
  }

  private fail(status: Status): void {
    this.write({ type: 'ERROR', object: status });
    this.end();
  }

  private write(event: WatchEvent): void {
    if (this.closed) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) return this.drop();
    this.res.write(`${JSON.stringify(event)}\n`);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.opts.onClose(this);
  }
}
