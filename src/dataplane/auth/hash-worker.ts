// Worker thread body for hash-pool.ts: verifies one password at a time, off the proxy's event loop.

import { parentPort } from 'node:worker_threads';
import { verifyPassword, type HashLimits } from './schemes.ts';

export interface HashRequest {
  id: number;
  password: Uint8Array;
  hash: string;
  limits: HashLimits;
}

export type HashResponse = { id: number; ok: boolean } | { id: number; error: string };

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (req: HashRequest) => {
    let res: HashResponse;
    try {
      res = { id: req.id, ok: verifyPassword(req.password, req.hash, req.limits) };
    } catch (err) {
      res = { id: req.id, error: err instanceof Error ? err.message : String(err) };
    }
    req.password.fill(0);
    port.postMessage(res);
  });
}
