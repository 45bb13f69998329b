// `continue` tokens for paginated lists, shaped like the real API's: base64url JSON naming
// the snapshot resourceVersion and the key to resume from, so every page of one list is cut
// from the same snapshot.

import { errors } from './status.ts';

export interface ContinueToken {
  rv: number;
  /** Resume at the first key >= start. */
  start: string;
}

export function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v === 'meta.k8s.io/v1' && Number.isInteger(parsed.rv) && typeof parsed.start === 'string') {
      return { rv: parsed.rv as number, start: parsed.start };
    }
  } catch {
    // fall through to the API's error
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
