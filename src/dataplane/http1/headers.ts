// Shared pieces of the HTTP/1.1 head parsers: header offsets kept in a typed array (no per-header
// objects), case-insensitive name comparison without lower-casing, and the validation regex.

/** Offsets stored per header line, in this order. */
export const NAME_START = 0;
export const NAME_END = 1;
export const VALUE_START = 2;
export const VALUE_END = 3;
export const LINE_END = 4; // index just past the line's CRLF
export const STRIDE = 5;

/**
 * One header block: `name:value\r\n` lines with RFC 9110 token names and field values made of
 * visible characters, SP, HTAB and obs-text. Unambiguous, so the regex engine runs it linearly.
 * Whitespace before the colon, obs-fold, bare CR/LF and control characters all fail it. (The
 * value class is written negated, which irregexp scans a little faster; heads are latin1, the
 * \u0100-\uffff range only keeps other strings out.) Parsers rely on it: after a match, every CR
 * in the block starts a CRLF and every line has a colon.
 */
// eslint-disable-next-line no-control-regex
export const HEADER_BLOCK = /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f\u0100-\uffff]*\r\n)*$/y;

export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Compares head[start, end) with a lower-case name, ASCII letters case-insensitively and every
 * other character exactly ("^" | 0x20 is "~", "_" | 0x20 is DEL: folding only applies to letters).
 */
export function nameEquals(head: string, start: number, end: number, lower: string): boolean {
  const n = lower.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = head.charCodeAt(start + i);
    const l = lower.charCodeAt(i);
    if (c !== l && ((c | 0x20) !== l || l < 97 || l > 122)) return false;
  }
  return true;
}

/** Case-insensitive comparison of a header value with a lower-case ASCII word. */
export function valueEquals(head: string, start: number, end: number, lower: string): boolean {
  return nameEquals(head, start, end, lower);
}

/** Connection tokens sluice acts on (connectionFlags). */
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;
export const CONN_UPGRADE = 4;
/** Some other token: a hop-by-hop header name (collect them with connectionNames). */
export const CONN_OTHER = 8;

/**
 * Scans the Connection list in head[vs, ve) and returns CONN_* flags. Elements are trimmed of OWS
 * only (SP, HTAB; not String.prototype.trim, which also strips NBSP) and compared in place.
 */
export function connectionFlags(head: string, vs: number, ve: number): number {
  let flags = 0;
  let p = vs;
  while (p < ve) {
    let e = head.indexOf(',', p);
    if (e < 0 || e > ve) e = ve;
    let a = p;
    let b = e;
    while (a < b && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++;
    while (b > a && (head.charCodeAt(b - 1) === 32 || head.charCodeAt(b - 1) === 9)) b--;
    if (b > a) {
      if (valueEquals(head, a, b, 'close')) flags |= CONN_CLOSE;
      else if (valueEquals(head, a, b, 'keep-alive')) flags |= CONN_KEEP_ALIVE;
      else if (valueEquals(head, a, b, 'upgrade')) flags |= CONN_UPGRADE;
      else flags |= CONN_OTHER;
    }
    p = e + 1;
  }
  return flags;
}

/** Appends the lower-cased CONN_OTHER tokens of the Connection list in head[vs, ve) to `out`. */
export function connectionNames(head: string, vs: number, ve: number, out: string[]): void {
  let p = vs;
  while (p < ve) {
    let e = head.indexOf(',', p);
    if (e < 0 || e > ve) e = ve;
    let a = p;
    let b = e;
    while (a < b && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++;
    while (b > a && (head.charCodeAt(b - 1) === 32 || head.charCodeAt(b - 1) === 9)) b--;
    if (b > a && !valueEquals(head, a, b, 'close') && !valueEquals(head, a, b, 'keep-alive') && !valueEquals(head, a, b, 'upgrade')) {
      out.push(head.slice(a, b).toLowerCase());
    }
    p = e + 1;
  }
}

/**
 * Marks the headers named by hop-by-hop `names` as dropped (RFC 9110 7.6.1), except the framing
 * headers: Content-Length and Transfer-Encoding describe the body that is relayed as is.
 */
export function dropHopByHop(head: string, hdrs: HeaderIndex, names: string[]): void {
  for (const t of names) {
    if (t === 'content-length' || t === 'transfer-encoding') continue;
    for (let i = hdrs.find(head, t); i >= 0; i = hdrs.find(head, t, i + 1)) hdrs.drop[i] = 1;
  }
}

/** Growable header offset storage, reused across requests on one connection. */
export class HeaderIndex {
  offsets: Int32Array = new Int32Array(32 * STRIDE);
  /** 1 = drop this header when forwarding. */
  drop: Uint8Array = new Uint8Array(32);
  count = 0;

  reset(): void {
    this.count = 0;
  }

  push(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number, lineEnd: number): number {
    const i = this.count;
    if ((i + 1) * STRIDE > this.offsets.length) {
      const o = new Int32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
      const d = new Uint8Array(this.drop.length * 2);
      d.set(this.drop);
      this.drop = d;
    }
    const b = i * STRIDE;
    const o = this.offsets;
    o[b] = nameStart;
    o[b + 1] = nameEnd;
    o[b + 2] = valueStart;
    o[b + 3] = valueEnd;
    o[b + 4] = lineEnd;
    this.drop[i] = 0;
    this.count = i + 1;
    return i;
  }

  /** Index of the first header with this (lower-case) name, or -1. */
  find(head: string, lower: string, from = 0): number {
    const o = this.offsets;
    for (let i = from; i < this.count; i++) {
      const b = i * STRIDE;
      if (nameEquals(head, o[b]!, o[b + 1]!, lower)) return i;
    }
    return -1;
  }

  value(head: string, i: number): string {
    const b = i * STRIDE;
    return head.slice(this.offsets[b + 2], this.offsets[b + 3]);
  }

  name(head: string, i: number): string {
    const b = i * STRIDE;
    return head.slice(this.offsets[b], this.offsets[b + 1]);
  }

  /** All values of a header joined with ", " (as a field list), or null. */
  get(head: string, lower: string): string | null {
    let i = this.find(head, lower);
    if (i < 0) return null;
    let v = this.value(head, i);
    while ((i = this.find(head, lower, i + 1)) >= 0) v += ', ' + this.value(head, i);
    return v;
  }

  /**
   * Copies the kept header lines of `head` (those not marked drop), as few slices as possible.
   * `start` is where the first header line begins.
   */
  kept(head: string, start: number): string {
    const o = this.offsets;
    let out = '';
    let runStart = start;
    let pos = start;
    for (let i = 0; i < this.count; i++) {
      const lineStart = pos;
      pos = o[i * STRIDE + 4]!;
      if (this.drop[i] === 1) {
        if (lineStart > runStart) out += head.slice(runStart, lineStart);
        runStart = pos;
      }
    }
    if (pos > runStart) out += head.slice(runStart, pos);
    return out;
  }
}
