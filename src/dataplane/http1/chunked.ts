// Scans chunked transfer coding (RFC 9112 7.1) to find where a message body ends, so bodies can
// be relayed verbatim (no re-chunking) and the next message on the connection found. Strict:
// hex sizes only, CRLF only, chunk extensions and trailers made of valid characters. Optionally
// decodes (hands out the data bytes) for peers that cannot receive chunked coding.

const S_SIZE_START = 0;
const S_SIZE = 1;
const S_SIZE_WS = 2; // whitespace after size, before ";" or CR
const S_EXT = 3;
const S_SIZE_LF = 4;
const S_DATA = 5;
const S_DATA_CR = 6;
const S_DATA_LF = 7;
const S_TRAILER_START = 8;
const S_TRAILER = 9;
const S_TRAILER_LF = 10;
const S_FINAL_LF = 11;
const S_DONE = 12;

const MAX_SIZE_DIGITS = 13; // 2^52: safe integer arithmetic
const MAX_TRAILER_BYTES = 16 * 1024;

const HEXVAL: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/** Characters allowed in chunk extensions and trailer lines (VCHAR, SP, HTAB, obs-text). */
function fieldChar(c: number): boolean {
  return c === 9 || (c >= 32 && c !== 127);
}

export type ChunkDataHandler = (buf: Buffer, start: number, end: number) => void;

export class ChunkedScanner {
  state = S_SIZE_START;
  /** Bytes left in the current chunk's data. */
  remaining = 0;
  digits = 0;
  /** Sum of chunk sizes so far (the decoded body length). */
  bodyBytes = 0;
  trailerBytes = 0;
  /** Set when the message is malformed; the connection must be closed. */
  error = '';
  /** Decode mode: receives the data bytes only. */
  onData: ChunkDataHandler | null = null;
  /** When not null, trailer lines are collected here ("name: value\r\n" each), for HTTP/2 peers. */
  trailers: string | null = null;

  reset(): void {
    if (this.trailers !== null) this.trailers = '';
    this.state = S_SIZE_START;
    this.remaining = 0;
    this.digits = 0;
    this.bodyBytes = 0;
    this.trailerBytes = 0;
    this.error = '';
  }

  get done(): boolean {
    return this.state === S_DONE;
  }

  /**
   * Consumes buf[start, end). Returns the index just past the last byte of the body when the
   * body ended inside this range, `end` when more bytes are needed, or -1 on error.
   */
  feed(buf: Buffer, start: number, end: number): number {
    let i = start;
    let state = this.state;
    while (i < end) {
      if (state === S_DATA) {
        const take = Math.min(this.remaining, end - i);
        if (this.onData !== null) this.onData(buf, i, i + take);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) state = S_DATA_CR;
        continue;
      }
      const c = buf[i]!;
      switch (state) {
        case S_SIZE_START:
        case S_SIZE: {
          const h = HEXVAL[c]!;
          if (h >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS && (this.remaining > 0 || h > 0)) return this.#fail('chunk size too large');
            this.remaining = this.remaining * 16 + h;
            state = S_SIZE;
          } else if (state === S_SIZE_START) {
            return this.#fail('missing chunk size');
          } else if (c === 13) state = S_SIZE_LF;
          else if (c === 59 /* ; */) state = S_EXT;
          else if (c === 32 || c === 9) state = S_SIZE_WS;
          else return this.#fail('invalid chunk size');
          break;
        }
        case S_SIZE_WS:
          if (c === 59) state = S_EXT;
          else if (c === 13) state = S_SIZE_LF;
          else if (c !== 32 && c !== 9) return this.#fail('invalid chunk size line');
          break;
        case S_EXT:
          if (c === 13) state = S_SIZE_LF;
          else if (!fieldChar(c)) return this.#fail('invalid chunk extension');
          break;
        case S_SIZE_LF:
          if (c !== 10) return this.#fail('chunk size line not ended by CRLF');
          this.digits = 0;
          if (this.remaining === 0) {
            state = S_TRAILER_START;
          } else {
            this.bodyBytes += this.remaining;
            state = S_DATA;
          }
          break;
        case S_DATA_CR:
          if (c !== 13) return this.#fail('chunk data not followed by CRLF');
          state = S_DATA_LF;
          break;
        case S_DATA_LF:
          if (c !== 10) return this.#fail('chunk data not followed by CRLF');
          state = S_SIZE_START;
          break;
        case S_TRAILER_START:
          if (c === 13) state = S_FINAL_LF;
          else if (fieldChar(c) && c !== 32 && c !== 9) state = S_TRAILER;
          else return this.#fail('invalid trailer');
          if (this.trailers !== null && c !== 13) this.trailers += String.fromCharCode(c);
          break;
        case S_TRAILER:
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.#fail('trailers too large');
          if (c === 13) state = S_TRAILER_LF;
          else if (!fieldChar(c)) return this.#fail('invalid trailer');
          if (this.trailers !== null) this.trailers += String.fromCharCode(c);
          break;
        case S_TRAILER_LF:
          if (c !== 10) return this.#fail('trailer not ended by CRLF');
          if (this.trailers !== null) this.trailers += '\n';
          state = S_TRAILER_START;
          break;
        case S_FINAL_LF:
          if (c !== 10) return this.#fail('chunked body not ended by CRLF');
          this.state = S_DONE;
          return i + 1;
        case S_DONE:
          return i;
      }
      i++;
    }
    this.state = state;
    return end;
  }

  #fail(why: string): number {
    this.error = why;
    return -1;
  }
}
