// Entry point: parse flags, start, and turn signals into a graceful shutdown.

import { parseArgs, usage, UsageError } from './args.ts';
import { createLogger, flushLogs } from '../log/logger.ts';
import { start, VERSION } from '../app.ts';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sluice: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(usage(VERSION) + '\n');
    return;
  }
  if (opts.version) {
    process.stdout.write(`sluice ${VERSION}\n`);
    return;
  }
  const log = createLogger(opts.logLevel);
  let app;
  try {
    app = await start(opts, log);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log.fatal({ code: e.code }, `cannot start: ${e.message}`);
    flushLogs();
    process.exit(1);
  }
  const running = app;
  let signals = 0;
  const onSignal = (sig: string): void => {
    if (++signals > 1) {
      log.warn({ signal: sig }, 'second signal: exiting now');
      flushLogs();
      process.exit(1);
    }
    running.shutdown(sig).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'shutdown failed');
        flushLogs();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('uncaughtException', (err) => {
    // A bug must not take every tenant's traffic down silently; log loudly and keep serving.
    log.error({ err: err.stack }, 'uncaught exception');
  });
}

await main();
