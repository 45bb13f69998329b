// Messages between the primary (control plane) and worker processes (data plane), sent over
// node:cluster IPC with structured-clone ("advanced") serialisation.

import type { Options } from '../cli/args.ts';
import type { Endpoint, RouteTable } from '../routes/table.ts';
import type { PemPair } from '../dataplane/tls/contexts.ts';

export interface InitMessage {
  type: 'init';
  opts: Options;
  table: RouteTable;
  /** Endpoint updates applied since the table was compiled. */
  endpoints: [string, Endpoint[]][];
  defaultCertificate: PemPair;
  ticketKeys: Buffer;
  /** Ports to bind (resolved by the first worker when the flags say 0). */
  httpPort: number;
  httpsPort: number;
}

export type ToWorker =
  | InitMessage
  /** A new table, v8-serialised once by the primary for all workers (see pool.ts install). */
  | { type: 'table'; encoded: Uint8Array }
  | { type: 'endpoints'; key: string; endpoints: Endpoint[] }
  | { type: 'ticket-keys'; keys: Buffer }
  | { type: 'drain'; gracePeriodS: number };

export type FromWorker =
  | { type: 'listening'; httpPort: number; httpsPort: number }
  | { type: 'installed'; generation: number }
  | { type: 'fatal'; message: string };
