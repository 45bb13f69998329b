// `npm test`: type-check, then every *.test.ts under src/, test/ and bench/ (pure helpers only)
// with Node's test runner.
// Test files run as separate processes; most wait on sockets, so a few run at once.

import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('type check failed');
  process.exit(tsc.status ?? 1);
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts'), ...globSync('bench/**/*.test.ts')].sort();
const concurrency = Math.max(2, Math.min(4, availableParallelism() * 2));
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
