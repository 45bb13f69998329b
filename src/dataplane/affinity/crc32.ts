// CRC-32 (IEEE 802.3, the zlib and nginx ngx_crc32 one) over latin1 strings, with access to the
// unfinalised register so a hash can be continued (the hash ring chains points that way).

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Feeds the bytes of `s` (char codes & 0xff) into an unfinalised CRC register. */
export function crc32Update(reg: number, s: string): number {
  let c = reg >>> 0;
  for (let i = 0; i < s.length; i++) c = TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** CRC-32 of a latin1 string, as an unsigned 32-bit number. */
export function crc32(s: string): number {
  return (~crc32Update(0xffffffff, s)) >>> 0;
}
