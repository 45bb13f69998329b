// The primary's side of --workers N: forks the data-plane workers, ships every table and endpoint
// update to them, restarts a worker that dies (with the current table), and drains them on
// shutdown. Implements the controller's TableSink, so the control loop is the same in every mode.

import v8 from 'node:v8';
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Options } from '../cli/args.ts';
import type { TableSink } from '../controller/controller.ts';
import type { Logger } from '../log/logger.ts';
import type { Endpoint, RouteTable } from '../routes/table.ts';
import type { PemPair } from '../dataplane/tls/contexts.ts';
import { TICKET_ROTATION_MS } from '../dataplane/tls/listener.ts';
import type { FromWorker, ToWorker } from './messages.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const RESTART_WINDOW_MS = 30_000;
const MAX_FAST_RESTARTS = 5;

interface Slot {
  index: number;
  worker: Worker | null;
  listening: boolean;
  generation: number;
  restarts: number[];
}

export class WorkerPool implements TableSink {
  readonly #opts: Options;
  readonly #log: Logger;
  readonly #slots: Slot[] = [];
  #table: RouteTable;
  /** Endpoint updates since #table was compiled, replayed to restarted workers. */
  #endpoints = new Map<string, Endpoint[]>();
  #ticketKeys = randomBytes(48);
  #ticketTimer: NodeJS.Timeout | null = null;
  readonly #defaultCert: PemPair;
  #httpPort: number;
  #httpsPort: number;
  #stopping = false;
  #onListening: ((http: number, https: number) => void) | null = null;

  constructor(opts: Options, log: Logger, table: RouteTable, defaultCert: PemPair) {
    this.#opts = opts;
    this.#log = log;
    this.#table = table;
    this.#defaultCert = defaultCert;
    this.#httpPort = opts.httpPort;
    this.#httpsPort = opts.httpsPort;
    cluster.setupPrimary({ exec: WORKER_ENTRY, serialization: 'advanced', args: [] });
  }

  get ports(): { http: number; https: number } {
    return { http: this.#httpPort, https: this.#httpsPort };
  }

  /** Starts the workers; resolves once all of them listen with the initial table. */
  async start(): Promise<void> {
    for (let i = 0; i < this.#opts.workers; i++) this.#slots.push({ index: i, worker: null, listening: false, generation: 0, restarts: [] });
    // The first worker resolves port 0 to a real port; the others bind the same one (SO_REUSEPORT).
    await this.#spawnAndWait(this.#slots[0]!);
    await Promise.all(this.#slots.slice(1).map((s) => this.#spawnAndWait(s)));
    this.#ticketTimer = setInterval(() => this.#rotateTickets(), TICKET_ROTATION_MS);
    this.#ticketTimer.unref();
  }

  /** True when every worker listens and runs the latest table. */
  get allReady(): boolean {
    return this.#slots.length > 0 && this.#slots.every((s) => s.listening && s.generation === this.#table.generation);
  }

  get workerCount(): number {
    return this.#slots.filter((s) => s.worker !== null).length;
  }

  install(table: RouteTable): void {
    this.#table = table;
    this.#endpoints.clear();
    // Serialised once here: handing the object to each worker's channel would serialise the
    // whole table once per worker on the primary's thread (~100 ms each at 10,000 Ingresses).
    if (!this.#slots.some((s) => s.worker && s.listening)) return;
    this.#broadcast({ type: 'table', encoded: v8.serialize(table) });
  }

  updateEndpoints(backendKey: string, endpoints: Endpoint[]): void {
    this.#endpoints.set(backendKey, endpoints);
    this.#broadcast({ type: 'endpoints', key: backendKey, endpoints });
  }

  #broadcast(m: ToWorker): void {
    for (const s of this.#slots) if (s.worker && s.listening) s.worker.send(m);
  }

  #rotateTickets(): void {
    this.#ticketKeys = randomBytes(48);
    this.#broadcast({ type: 'ticket-keys', keys: this.#ticketKeys });
  }

  #spawnAndWait(slot: Slot): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = cluster.fork({ SLUICE_WORKER_INDEX: String(slot.index) });
      slot.worker = w;
      slot.listening = false;
      w.on('message', (raw: unknown) => {
        const m = raw as FromWorker;
        if (m.type === 'listening') {
          slot.listening = true;
          if (this.#httpPort === 0) this.#httpPort = m.httpPort;
          if (this.#httpsPort === 0) this.#httpsPort = m.httpsPort;
          resolve();
        } else if (m.type === 'installed') {
          slot.generation = m.generation;
        } else if (m.type === 'fatal') {
          this.#log.error({ worker: slot.index, err: m.message }, 'worker could not start');
          reject(new Error(m.message));
        }
      });
      w.on('online', () => {
        const init: ToWorker = {
          type: 'init',
          opts: this.#opts,
          table: this.#table,
          endpoints: [...this.#endpoints],
          defaultCertificate: this.#defaultCert,
          ticketKeys: this.#ticketKeys,
          httpPort: this.#httpPort,
          httpsPort: this.#httpsPort,
        };
        w.send(init);
      });
      w.on('exit', (code, signal) => {
        slot.worker = null;
        slot.listening = false;
        if (this.#stopping) return;
        reject(new Error(`worker exited during start (${signal ?? code})`));
        this.#restart(slot, code, signal);
      });
    });
  }

  #restart(slot: Slot, code: number | null, signal: string | null): void {
    const now = Date.now();
    slot.restarts = slot.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    slot.restarts.push(now);
    const delay = slot.restarts.length > MAX_FAST_RESTARTS ? 1000 : 0;
    this.#log.error({ worker: slot.index, code, signal, restartInMs: delay }, 'worker died; starting a new one with the current table');
    setTimeout(() => {
      if (this.#stopping) return;
      this.#spawnAndWait(slot).catch((err: unknown) => this.#log.error({ worker: slot.index, err: String(err) }, 'worker restart failed'));
    }, delay).unref();
  }

  /** Asks every worker to drain (finish in-flight work within the grace period) and waits. */
  async drain(gracePeriodS: number): Promise<void> {
    this.#stopping = true;
    if (this.#ticketTimer) clearInterval(this.#ticketTimer);
    const exits: Promise<void>[] = [];
    for (const s of this.#slots) {
      const w = s.worker;
      if (!w) continue;
      exits.push(new Promise((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
      w.send({ type: 'drain', gracePeriodS } satisfies ToWorker);
    }
    const limit = new Promise<void>((r) => setTimeout(r, (gracePeriodS + 5) * 1000).unref());
    await Promise.race([Promise.all(exits), limit]);
    for (const s of this.#slots) if (s.worker && !s.worker.isDead()) s.worker.kill('SIGKILL');
  }
}
