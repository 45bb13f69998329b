// X-Request-ID values like nginx's $request_id: 32 hex characters of randomness. Random bytes are
// drawn in blocks so the hot path does no system call per request.

import { randomFillSync } from 'node:crypto';

const BLOCK = 4096;
const buf = Buffer.allocUnsafe(BLOCK);
let pos = BLOCK;

export function newRequestId(): string {
  if (pos + 16 > BLOCK) {
    randomFillSync(buf);
    pos = 0;
  }
  const id = buf.toString('hex', pos, pos + 16);
  pos += 16;
  return id;
}
