#!/usr/bin/env node
// sluice runs its TypeScript sources directly on Node 24 (type stripping), so it needs Node 24.
import module from 'node:module';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `sluice: needs Node.js 24 (this is ${process.version}). From the repository, run \`npm start\`, ` +
      '`npx sluice ...` or `node_modules/.bin/node bin/sluice.js ...` (npm install provides Node 24).\n',
  );
  process.exit(2);
}
// Cache compiled (and type-stripped) modules on disk: faster starts, faster worker restarts.
module.enableCompileCache?.();
await import('../src/cli/main.ts');
