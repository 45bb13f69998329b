// One coarse timer for every timeout in the data plane. Connections keep a deadline (ms on the
// coarse clock) and the sweep calls them when it passes: no per-request setTimeout, no timer
// re-arming on every read or write.

export interface Timed {
  /** Coarse-clock ms at which onTimeout fires; 0 = none. */
  deadline: number;
  onTimeout(now: number): void;
}

export const TICK_MS = 200;

/** Coarse wall clock in ms, refreshed every tick (and on demand). */
export const clock = { now: Date.now() };

export class Sweeper {
  readonly #members = new Set<Timed>();
  #timer: NodeJS.Timeout | null = null;

  add(t: Timed): void {
    this.#members.add(t);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.sweep(), TICK_MS);
      this.#timer.unref();
    }
  }

  delete(t: Timed): void {
    this.#members.delete(t);
  }

  get size(): number {
    return this.#members.size;
  }

  sweep(): void {
    const now = (clock.now = Date.now());
    for (const t of this.#members) {
      if (t.deadline !== 0 && t.deadline <= now) {
        t.deadline = 0;
        t.onTimeout(now);
      }
    }
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export const sweeper = new Sweeper();
