// Logging: JSON lines on stdout through pino (errors and events), and the access log on the same
// stream. Asynchronous writes keep logging off the request's latency; flushLogs() runs on exit.

import pino, { type Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

let destination: ReturnType<typeof pino.destination> | null = null;

export function createLogger(level: LogLevel, sync = false): Logger {
  destination = pino.destination({ dest: 1, sync, minLength: 0 });
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export function flushLogs(): void {
  try {
    destination?.flushSync();
  } catch {
    // stdout already closed
  }
}

export type { Logger };
