// Writes docs/annotations.md from the annotation catalogue.
//   node scripts/gen-annotations-doc.ts           rewrite the file
//   node scripts/gen-annotations-doc.ts --check   exit 1 when the file is missing or stale

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renderAnnotationsDoc } from '../src/compile/annotations/doc.ts';

const root = join(import.meta.dirname, '..');
const target = join(root, 'docs', 'annotations.md');
const shown = relative(process.cwd(), target) || target;

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node scripts/gen-annotations-doc.ts [--check]`);
  process.exit(2);
}

const fresh = renderAnnotationsDoc();

if (args.includes('--check')) {
  let current: string | null = null;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = null;
  }
  if (current !== fresh) {
    console.error(`${shown} is ${current === null ? 'missing' : 'stale'}; run: node scripts/gen-annotations-doc.ts`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  console.log(`wrote ${shown}`);
}
