// The HTTP/2 connection preface (RFC 9113 3.4). A client with prior knowledge of h2c starts a
// cleartext connection with it; the HTTP/1.1 parser checks for it before parsing a request line.

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const PREFACE_NO = 0;
export const PREFACE_PARTIAL = 1;
export const PREFACE_FULL = 2;

/** Does `data` start with the preface (FULL), with a prefix of it (PARTIAL: wait), or not (NO)? */
export function prefaceState(data: Buffer): number {
  const n = data.length < H2_PREFACE.length ? data.length : H2_PREFACE.length;
  for (let i = 0; i < n; i++) if (data[i] !== H2_PREFACE[i]) return PREFACE_NO;
  return n === H2_PREFACE.length ? PREFACE_FULL : PREFACE_PARTIAL;
}
