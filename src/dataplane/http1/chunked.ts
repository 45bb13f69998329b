// Scans chunked transfer coding (RFC 9112 7.1) to find where a message body ends, so bodies can
// be relayed verbatim (no re-chunking) and the next message on the connection found. Strict:
// hex sizes only, CRLF only, chunk extensions and trailer fields that follow their grammar.
// Optionally decodes (hands out the data bytes) for peers that cannot receive chunked coding.

const S_SIZE_START = 0;
const S_SIZE = 1;
const S_SIZE_BWS = 2; // whitespace after the size: only before ";"
const S_EXT_PRE_NAME = 3; // after ";" (BWS allowed)
const S_EXT_NAME = 4;
const S_EXT_POST_NAME = 5; // whitespace after a name: before ";" or "="
const S_EXT_PRE_VALUE = 6; // after "=" (BWS allowed)
const S_EXT_TOKEN = 7;
const S_EXT_QUOTED = 8;
const S_EXT_QUOTED_PAIR = 9; // after a backslash inside quotes
const S_EXT_POST_QUOTED = 10; // right after the closing quote
const S_EXT_POST_VALUE = 11; // whitespace after a value: before ";"
const S_SIZE_LF = 12;
const S_DATA = 13;
const S_DATA_CR = 14;
const S_DATA_LF = 15;
const S_TRAILER_START = 16;
const S_TRAILER_NAME = 17;
const S_TRAILER_VALUE = 18;
const S_TRAILER_LF = 19;
const S_FINAL_LF = 20;
const S_DONE = 21;
const S_ERROR = 22;

/** Digits in a chunk size, leading zeros included (a 64-bit size with zero padding). */
const MAX_SIZE_DIGITS = 16;
/** Sizes stay below 2^52 (13 significant hex digits): exact in a double, no overflow. */
const MAX_SIZE_BEFORE_DIGIT = 2 ** 48;
const MAX_TRAILER_BYTES = 16 * 1024;
/**
 * Chunk-extension bytes in one message. sluice ignores extensions but must scan them: without a
 * bound a peer sends endless extension bytes for a one-byte body (CVE-2023-39326 in Go).
 */
const MAX_EXT_BYTES = 16 * 1024;

const HEXVAL: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/** Characters allowed in trailer field values (VCHAR, SP, HTAB, obs-text). */
function fieldChar(c: number): boolean {
  return c === 9 || (c >= 32 && c !== 127);
}

// Character classes for the chunk-ext grammar (RFC 9112 7.1.1, RFC 9110 5.6.2 and 5.6.4).
const C_TCHAR = 1;
const C_QDTEXT = 2; // HTAB, SP, VCHAR except '"' and '\', obs-text
const C_QPAIR = 4; // what may follow '\' in a quoted-string: HTAB, SP, VCHAR, obs-text
const CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] |= C_TCHAR;
  for (let c = 48; c <= 57; c++) t[c] |= C_TCHAR;
  for (let c = 65; c <= 90; c++) t[c] |= C_TCHAR;
  for (let c = 97; c <= 122; c++) t[c] |= C_TCHAR;
  for (let c = 0; c < 256; c++) {
    if (c === 9 || (c >= 32 && c !== 127)) t[c] |= C_QPAIR;
    if ((c === 9 || (c >= 32 && c !== 127)) && c !== 34 && c !== 92) t[c] |= C_QDTEXT;
  }
  return t;
})();

/**
 * Trailer fields refused outright: framing and routing, which a recipient MUST NOT merge into
 * the header section (RFC 9110 6.5.1/6.5.2) yet some upstreams do, after framing was decided.
 */
const FORBIDDEN_TRAILERS = ['content-length', 'transfer-encoding', 'host'];
const ALL_FORBIDDEN = (1 << FORBIDDEN_TRAILERS.length) - 1;

/** One chunk of chunked transfer coding around `data` (non-empty): `<hex size>\r\n<data>\r\n`. */
export function chunkFrame(data: Buffer): Buffer {
  const hex = data.length.toString(16);
  const b = Buffer.allocUnsafe(hex.length + data.length + 4);
  b.write(hex, 0, 'latin1');
  b[hex.length] = 13;
  b[hex.length + 1] = 10;
  data.copy(b, hex.length + 2);
  b[b.length - 2] = 13;
  b[b.length - 1] = 10;
  return b;
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
  extBytes = 0;
  /** Trailer name being read: its length, and which FORBIDDEN_TRAILERS it may still be. */
  nameLen = 0;
  nameMask = 0;
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
    this.extBytes = 0;
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
    if (state === S_ERROR) return -1;
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
      if (state >= S_SIZE_BWS && state <= S_EXT_POST_VALUE && ++this.extBytes > MAX_EXT_BYTES) return this.#fail('chunk extensions too large');
      switch (state) {
        case S_SIZE_START:
        case S_SIZE: {
          const h = HEXVAL[c]!;
          if (h >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS || this.remaining >= MAX_SIZE_BEFORE_DIGIT) return this.#fail('chunk size too large');
            this.remaining = this.remaining * 16 + h;
            state = S_SIZE;
          } else if (state === S_SIZE_START) {
            return this.#fail('missing chunk size');
          } else if (c === 13) state = S_SIZE_LF;
          else if (c === 59 /* ; */) state = S_EXT_PRE_NAME;
          else if (c === 32 || c === 9) state = S_SIZE_BWS;
          else return this.#fail('invalid chunk size');
          break;
        }
        // Chunk extensions: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
        // Nothing else may sit on the size line: no bare CR/LF, no trailing whitespace, no text
        // after a value. Upstreams that read these lines differently are how "funky chunks"
        // smuggle, and the line is relayed verbatim.
        case S_SIZE_BWS:
          if (c === 59) state = S_EXT_PRE_NAME;
          else if (c !== 32 && c !== 9) return this.#fail('whitespace after chunk size');
          break;
        case S_EXT_PRE_NAME:
          if ((CLASS[c]! & C_TCHAR) !== 0) state = S_EXT_NAME;
          else if (c !== 32 && c !== 9) return this.#fail('invalid chunk extension name');
          break;
        case S_EXT_NAME:
          if ((CLASS[c]! & C_TCHAR) !== 0) break;
          if (c === 13) state = S_SIZE_LF;
          else if (c === 59) state = S_EXT_PRE_NAME;
          else if (c === 61 /* = */) state = S_EXT_PRE_VALUE;
          else if (c === 32 || c === 9) state = S_EXT_POST_NAME;
          else return this.#fail('invalid chunk extension name');
          break;
        case S_EXT_POST_NAME:
          if (c === 59) state = S_EXT_PRE_NAME;
          else if (c === 61) state = S_EXT_PRE_VALUE;
          else if (c !== 32 && c !== 9) return this.#fail('invalid chunk extension');
          break;
        case S_EXT_PRE_VALUE:
          if ((CLASS[c]! & C_TCHAR) !== 0) state = S_EXT_TOKEN;
          else if (c === 34 /* " */) state = S_EXT_QUOTED;
          else if (c !== 32 && c !== 9) return this.#fail('invalid chunk extension value');
          break;
        case S_EXT_TOKEN:
          if ((CLASS[c]! & C_TCHAR) !== 0) break;
          if (c === 13) state = S_SIZE_LF;
          else if (c === 59) state = S_EXT_PRE_NAME;
          else if (c === 32 || c === 9) state = S_EXT_POST_VALUE;
          else return this.#fail('invalid chunk extension value');
          break;
        case S_EXT_QUOTED:
          if (c === 34) state = S_EXT_POST_QUOTED;
          else if (c === 92 /* \ */) state = S_EXT_QUOTED_PAIR;
          else if ((CLASS[c]! & C_QDTEXT) === 0) return this.#fail('invalid character in quoted chunk extension');
          break;
        case S_EXT_QUOTED_PAIR:
          if ((CLASS[c]! & C_QPAIR) === 0) return this.#fail('invalid character in quoted chunk extension');
          state = S_EXT_QUOTED;
          break;
        case S_EXT_POST_QUOTED:
          if (c === 13) state = S_SIZE_LF;
          else if (c === 59) state = S_EXT_PRE_NAME;
          else if (c === 32 || c === 9) state = S_EXT_POST_VALUE;
          else return this.#fail('invalid chunk extension');
          break;
        case S_EXT_POST_VALUE:
          if (c === 59) state = S_EXT_PRE_NAME;
          else if (c !== 32 && c !== 9) return this.#fail('invalid chunk extension');
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
        // Trailer fields: token ":" field-value, like a header line (no obs-fold, no bare CR/LF).
        case S_TRAILER_START:
          if (c === 13) state = S_FINAL_LF;
          else if ((CLASS[c]! & C_TCHAR) !== 0) {
            if (this.trailers !== null) this.trailers += String.fromCharCode(c);
            this.nameLen = 0;
            this.nameMask = ALL_FORBIDDEN;
            this.#matchName(c);
            state = S_TRAILER_NAME;
          } else return this.#fail('invalid trailer field name');
          break;
        case S_TRAILER_NAME:
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.#fail('trailers too large');
          if (this.trailers !== null) this.trailers += String.fromCharCode(c);
          if (c === 58 /* : */) {
            if (this.nameMask !== 0 && this.#forbiddenName()) return this.#fail('framing or routing field in trailers');
            state = S_TRAILER_VALUE;
          } else if ((CLASS[c]! & C_TCHAR) !== 0) {
            if (this.nameMask !== 0) this.#matchName(c);
          } else return this.#fail('invalid trailer field name');
          break;
        case S_TRAILER_VALUE:
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.#fail('trailers too large');
          if (c === 13) state = S_TRAILER_LF;
          else if (!fieldChar(c)) return this.#fail('invalid trailer field value');
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
        case S_ERROR:
          return -1;
      }
      i++;
    }
    this.state = state;
    return end;
  }

  /** Narrows nameMask with the trailer name's next character (ASCII case-insensitive). */
  #matchName(c: number): void {
    const l = c >= 65 && c <= 90 ? c | 0x20 : c;
    const k = this.nameLen++;
    let m = this.nameMask;
    for (let j = 0; j < FORBIDDEN_TRAILERS.length; j++) {
      const f = FORBIDDEN_TRAILERS[j]!;
      if ((m & (1 << j)) !== 0 && (k >= f.length || f.charCodeAt(k) !== l)) m &= ~(1 << j);
    }
    this.nameMask = m;
  }

  #forbiddenName(): boolean {
    for (let j = 0; j < FORBIDDEN_TRAILERS.length; j++) {
      if ((this.nameMask & (1 << j)) !== 0 && FORBIDDEN_TRAILERS[j]!.length === this.nameLen) return true;
    }
    return false;
  }

  /** Errors are final: a caller that feeds again must not resume mid-message. */
  #fail(why: string): number {
    this.error = why;
    this.state = S_ERROR;
    return -1;
  }
}
