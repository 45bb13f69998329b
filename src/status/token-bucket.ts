// Rate limit for API writes (status updates, Events): `burst` writes at once, then `perSecond`.
// take() resolves when a token is available; waiters are served in order.

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  #queue: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(perSecond: number, burst: number) {
    this.#rate = perSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = performance.now();
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
  }

  /** Takes a token now if one is there. */
  tryTake(): boolean {
    this.#refill();
    if (this.#queue.length > 0 || this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#queue.push(resolve);
      this.#arm();
    });
  }

  #arm(): void {
    if (this.#timer) return;
    this.#refill();
    const wait = Math.max(0, ((1 - this.#tokens) / this.#rate) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refill();
      while (this.#queue.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#queue.shift()!();
      }
      if (this.#queue.length > 0) this.#arm();
    }, wait);
    this.#timer.unref();
  }

  /** Drops waiters (they never resolve) and the timer. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue = [];
  }
}
