// Where slow password hashes run. The proxy is one event loop: a bcrypt verification at cost 10
// takes ~100 ms of pure-JS CPU, SHA-crypt ~10 ms, MD5-crypt ~2 ms, and nothing else on that loop
// moves meanwhile. bcryptjs's async API only slices the work into 100 ms chunks on the same
// thread, which still stalls every connection for 100 ms at a time. So slow schemes go to a small
// pool of worker threads (one job per worker at a time, FIFO queue, bounded), and the event loop
// only pays a message round trip (~50-100 µs). See README.md for the numbers.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashRequest, HashResponse } from './hash-worker.ts';
import { verifyPassword, type HashLimits } from './schemes.ts';

/** Runs verifyPassword somewhere; rejects with HashPoolFullError when it cannot take more work. */
export interface HashExecutor {
  verify(password: Uint8Array, hash: string, limits: HashLimits): Promise<boolean>;
}

export class HashPoolFullError extends Error {
  constructor() {
    super('password hash pool queue is full');
    this.name = 'HashPoolFullError';
  }
}

/** Runs on the calling thread (tests, tools, or a deliberate choice); never full. */
export class InlineExecutor implements HashExecutor {
  verify(password: Uint8Array, hash: string, limits: HashLimits): Promise<boolean> {
    try {
      return Promise.resolve(verifyPassword(password, hash, limits));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

export interface HashPoolOptions {
  /** Worker threads; default: available cores - 1 (the event loop keeps one), between 1 and 4. */
  size?: number;
  /** Jobs waiting for a worker beyond which verify() rejects with HashPoolFullError; default 256. */
  maxQueue?: number;
}

interface Job {
  req: HashRequest;
  resolve: (ok: boolean) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

const WORKER_URL = new URL('./hash-worker.ts', import.meta.url);

export class HashWorkerPool implements HashExecutor {
  readonly size: number;
  readonly maxQueue: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  #completed = 0;
  #failed = 0;

  constructor(opts: HashPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(4, Math.max(1, availableParallelism() - 1)));
    this.maxQueue = Math.max(0, opts.maxQueue ?? 256);
  }

  verify(password: Uint8Array, hash: string, limits: HashLimits): Promise<boolean> {
    if (this.#closed) return Promise.reject(new Error('password hash pool is closed'));
    if (this.#queue.length >= this.maxQueue && this.#idleSlot() === null) return Promise.reject(new HashPoolFullError());
    return new Promise<boolean>((resolve, reject) => {
      // The worker gets its own copy (structured clone) and wipes it after use.
      const req: HashRequest = { id: this.#nextId++, password, hash, limits: { maxBcryptCost: limits.maxBcryptCost, maxShaCryptRounds: limits.maxShaCryptRounds } };
      this.#queue.push({ req, resolve, reject });
      this.#dispatch();
    });
  }

  /** Workers started, busy, jobs waiting, and jobs finished (ok or not) / failed (worker error). */
  get stats(): { workers: number; busy: number; queued: number; completed: number; failed: number } {
    return {
      workers: this.#slots.length,
      busy: this.#slots.filter((s) => s.job !== null).length,
      queued: this.#queue.length,
      completed: this.#completed,
      failed: this.#failed,
    };
  }

  /** Stops the workers; queued and running jobs reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const err = new Error('password hash pool is closed');
    for (const job of this.#queue.splice(0)) job.reject(err);
    const slots = this.#slots.splice(0);
    for (const s of slots) {
      s.job?.reject(err);
      s.job = null;
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #idleSlot(): Slot | null {
    for (const s of this.#slots) if (s.job === null) return s;
    if (this.#slots.length < this.size) return this.#spawn();
    return null;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#idleSlot();
      if (slot === null) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // keep the process alive while a result is owed
      slot.worker.postMessage(job.req);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, { name: 'sluice-hash' });
    const slot: Slot = { worker, job: null };
    worker.unref();
    worker.on('message', (res: HashResponse) => {
      const job = slot.job;
      if (job === null || job.req.id !== res.id) return;
      slot.job = null;
      worker.unref();
      this.#completed++;
      if ('error' in res) {
        this.#failed++;
        job.reject(new Error(res.error));
      } else job.resolve(res.ok);
      this.#dispatch();
    });
    const fail = (err: Error): void => {
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
      if (slot.job !== null) {
        this.#failed++;
        slot.job.reject(err);
        slot.job = null;
      }
      if (!this.#closed) this.#dispatch(); // a replacement spawns on demand
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password hash worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }
}

let shared: HashWorkerPool | null = null;

/** The process-wide pool every BasicAuthVerifier uses unless given another executor. */
export function sharedHashPool(): HashWorkerPool {
  shared ??= new HashWorkerPool();
  return shared;
}
