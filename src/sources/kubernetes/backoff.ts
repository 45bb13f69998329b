// Capped exponential backoff with jitter, for retrying API calls: fast first retries (a dropped
// connection usually comes straight back), then no more than one attempt per `maxMs`, and
// jitter so that many watches (or many replicas) do not retry in lockstep.

export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(baseMs = 250, maxMs = 10_000) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The next delay: base·2^n capped at max, then ±20 %. */
  next(): number {
    const raw = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** A setTimeout that an AbortSignal cuts short (resolves early; never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
