// The Dockerfile cannot be built here (no Docker engine), so its structure is checked instead:
// a multi-stage build whose runtime stage is Node 24, non-root, ships only production files and
// starts `node /app/bin/sluice.js`, which must exist and lead to the CLI.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from './helpers/tools.ts';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions grouped by stage; comments dropped and continuation lines joined. */
function parseDockerfile(text: string): { from: string; name: string | null; steps: Instruction[] }[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const stages: { from: string; name: string | null; steps: Instruction[] }[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from: f[1]!, name: f[2] ?? null, steps: [] });
    } else {
      assert.ok(stages.length > 0 || op === 'ARG', `${op} before FROM`);
      stages.at(-1)?.steps.push({ op, args });
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const steps = (op: string) => runtime.steps.filter((s) => s.op === op);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };

test('multi-stage: dependencies are installed in a build stage with --omit=dev', () => {
  assert.ok(stages.length >= 2, 'at least a build and a runtime stage');
  const install = stages.slice(0, -1).flatMap((s) => s.steps).filter((s) => s.op === 'RUN' && /\bnpm ci\b/.test(s.args));
  assert.equal(install.length, 1, 'one `npm ci` in a build stage');
  assert.match(install[0]!.args, /--omit=dev/);
  assert.equal(runtime.steps.filter((s) => s.op === 'RUN').length, 0, 'no RUN in the runtime stage (the distroless image has no shell)');
});

test('the runtime base is Node 24, as package.json requires', () => {
  const major = /(\d+)/.exec(pkg.engines.node)![1];
  assert.equal(major, '24');
  assert.match(runtime.from, /^(gcr\.io\/distroless\/nodejs24-|node:24)/);
  for (const s of stages.slice(0, -1)) assert.match(s.from, /^node:24/, 'the build stage uses the same Node major');
});

test('the runtime stage copies only package files, bin/, src/ and production node_modules', () => {
  const allowed = new Set(['package.json', 'package-lock.json', 'bin', 'src']);
  for (const c of [...steps('COPY'), ...steps('ADD')]) {
    assert.equal(c.op, 'COPY', 'COPY, never ADD');
    const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--chown') && !p.startsWith('--chmod'));
    const from = parts.find((p) => p.startsWith('--from='));
    const sources = parts.filter((p) => !p.startsWith('--')).slice(0, -1);
    if (from) {
      const stage = stages.find((s) => s.name === from.slice('--from='.length));
      assert.ok(stage, `${from} names a build stage`);
      assert.deepEqual(sources, ['/app/node_modules'], 'only node_modules comes from the build stage');
    } else {
      for (const src of sources) {
        const path = src.replace(/^\.\//, '').replace(/\/$/, '');
        assert.ok(allowed.has(path), `COPY ${src}: only ${[...allowed].join(', ')}`);
        assert.ok(existsSync(join(REPO, path)), `${src} exists in the repository`);
      }
    }
  }
  const copied = steps('COPY').flatMap((c) => c.args.split(/\s+/));
  for (const needed of ['bin', 'src', 'package.json', 'package-lock.json']) {
    assert.ok(copied.some((p) => p.replace(/^\.\//, '').replace(/\/$/, '') === needed), `${needed} is copied`);
  }
});

test('runs as a numeric non-root user', () => {
  const user = steps('USER').at(-1);
  assert.ok(user, 'USER is set in the runtime stage');
  const [uid, gid] = user.args.split(':');
  assert.match(uid!, /^\d+$/, 'numeric, so Kubernetes can check runAsNonRoot');
  assert.notEqual(Number(uid), 0);
  if (gid !== undefined) assert.notEqual(Number(gid), 0);
});

test('entrypoint is node /app/bin/sluice.js, and that file starts the CLI', () => {
  const entry = JSON.parse(steps('ENTRYPOINT').at(-1)!.args) as string[];
  assert.equal(entry.length, 2, 'exec form: node and the script, no shell');
  assert.match(entry[0]!, /(^|\/)node$/);
  assert.equal(entry[1], '/app/bin/sluice.js');
  assert.equal(steps('WORKDIR').at(-1)?.args, '/app', '/app is where the files are copied');
  const bin = readFileSync(join(REPO, 'bin/sluice.js'), 'utf8');
  const target = /import\(['"](\.\.\/src\/cli\/main\.ts)['"]\)/.exec(bin);
  assert.ok(target, 'bin/sluice.js imports src/cli/main.ts');
  assert.ok(existsSync(join(REPO, 'src/cli/main.ts')));
});

test('stops with SIGTERM and exposes 80, 443 and 10254', () => {
  assert.equal(steps('STOPSIGNAL').at(-1)?.args, 'SIGTERM');
  assert.deepEqual(steps('EXPOSE').flatMap((e) => e.args.split(/\s+/)).sort(), ['10254', '443', '80']);
});

test('.dockerignore keeps the build context to what the image needs', () => {
  const lines = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '**', 'everything is excluded first');
  const included = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')).sort();
  assert.deepEqual(included, ['bin', 'package-lock.json', 'package.json', 'src']);
});

test('production dependencies need no install scripts (npm ci --ignore-scripts)', () => {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && p.hasInstallScript).map(([path]) => path);
  assert.deepEqual(withScripts, []);
  assert.ok(Object.keys(pkg.dependencies).length > 0);
});

test('code in the image imports only production dependencies', () => {
  const allowed = new Set(Object.keys(pkg.dependencies));
  const files = [...globSync('src/**/*.ts', { cwd: REPO }), 'bin/sluice.js'].filter((f) => !f.endsWith('.test.ts'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const text = readFileSync(join(REPO, f), 'utf8');
    // Value imports only: `import type` is erased before the code runs.
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      assert.ok(allowed.has(name), `${f} imports ${name}, which is not a production dependency`);
    }
  }
});

test('the entrypoint starts on Node 24', () => {
  const out = execFileSync(process.execPath, [join(REPO, 'bin/sluice.js'), '--version'], { encoding: 'utf8' });
  assert.match(out, /^sluice \d+\.\d+\.\d+/);
});
