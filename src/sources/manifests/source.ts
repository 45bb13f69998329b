// Standalone mode: objects come from manifest files and directories instead of the API server.
// Changes on disk are seen through fs.watch (immediately) and a 1 s rescan (editors that
// replace files, network filesystems, missed events). A file that fails to parse keeps its last
// good objects, so a half-saved file never takes routes down.

import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { formatRef, keyOf, type Kind, type KubeObject } from '../../model/k8s.ts';
import { normalizeObject } from '../../store/normalize.ts';
import type { Store } from '../../store/store.ts';
import type { Logger } from '../../log/logger.ts';
import { parseManifestText } from './parse.ts';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const RESCAN_MS = 1000;
const WATCH_DEBOUNCE_MS = 30;

interface FileState {
  mtimeMs: number;
  size: number;
  /** Store keys (kind + key) of the objects this file defined at its last good parse. */
  keys: Set<string>;
  error: string | null;
}

export interface ManifestProblem {
  file: string;
  message: string;
}

function storeKey(o: KubeObject): string {
  return `${o.kind}\0${keyOf(o)}`;
}

export class ManifestSource {
  readonly #roots: string[];
  readonly #store: Store;
  readonly #log: Logger;
  readonly #files = new Map<string, FileState>();
  /** Which file owns each object (first file wins on duplicates). */
  readonly #owner = new Map<string, string>();
  /** First-seen time per object, standing in for creationTimestamp. */
  readonly #born = new Map<string, string>();
  readonly #watchers = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | null = null;
  #debounce: NodeJS.Timeout | null = null;
  #now: () => Date;

  constructor(roots: readonly string[], store: Store, log: Logger, now: () => Date = () => new Date()) {
    this.#roots = roots.map((r) => resolve(r));
    this.#store = store;
    this.#log = log;
    this.#now = now;
  }

  /** Loads everything once. Throws if a root does not exist (a startup error). */
  start(): void {
    for (const r of this.#roots) statSync(r);
    this.rescan();
    this.#timer = setInterval(() => this.rescan(), RESCAN_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#debounce) clearTimeout(this.#debounce);
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }

  /** Current per-file problems (for the admin API). */
  problems(): ManifestProblem[] {
    const out: ManifestProblem[] = [];
    for (const [file, st] of this.#files) if (st.error !== null) out.push({ file, message: st.error });
    return out.sort((a, b) => (a.file < b.file ? -1 : 1));
  }

  rescan(): void {
    const seen = new Set<string>();
    const dirs = new Set<string>();
    for (const root of this.#roots) this.#walk(root, true, seen, dirs);
    for (const file of [...this.#files.keys()]) {
      if (!seen.has(file)) this.#removeFile(file);
    }
    for (const d of dirs) this.#watchDir(d);
    for (const d of [...this.#watchers.keys()]) {
      if (!dirs.has(d)) {
        this.#watchers.get(d)!.close();
        this.#watchers.delete(d);
      }
    }
  }

  #walk(path: string, isRoot: boolean, seen: Set<string>, dirs: Set<string>): void {
    let st;
    try {
      st = statSync(path);
    } catch {
      if (isRoot) this.#log.warn({ path }, 'manifest path is gone');
      return;
    }
    if (st.isDirectory()) {
      dirs.add(path);
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (err) {
        this.#log.warn({ path, err: (err as Error).message }, 'cannot read manifest directory');
        return;
      }
      for (const e of entries) {
        if (e.startsWith('.')) continue;
        const child = join(path, e);
        this.#walk(child, false, seen, dirs);
      }
      return;
    }
    if (!st.isFile()) return;
    if (!isRoot && !EXTENSIONS.has(extname(path).toLowerCase())) return;
    seen.add(path);
    const prev = this.#files.get(path);
    if (prev && prev.mtimeMs === st.mtimeMs && prev.size === st.size) return;
    this.#loadFile(path, st.mtimeMs, st.size);
  }

  #watchDir(dir: string): void {
    if (this.#watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, () => this.#scheduleRescan());
      w.on('error', () => {
        w.close();
        this.#watchers.delete(dir);
      });
      this.#watchers.set(dir, w);
    } catch {
      // The 1 s rescan still covers this directory.
    }
  }

  #scheduleRescan(): void {
    if (this.#debounce) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      this.rescan();
    }, WATCH_DEBOUNCE_MS);
  }

  #loadFile(file: string, mtimeMs: number, size: number): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.#fileError(file, mtimeMs, size, `cannot read: ${(err as Error).message}`);
      return;
    }
    const parsed = parseManifestText(text);
    if (parsed.error !== null) {
      this.#fileError(file, mtimeMs, size, parsed.error);
      return;
    }
    const objects: KubeObject[] = [];
    const problems: string[] = [];
    parsed.objects.forEach((raw, i) => {
      const r = normalizeObject(raw);
      if (r.ok) objects.push(r.object);
      else if (r.ignored) this.#log.debug({ file, index: i }, r.reason);
      else {
        const what = r.kind ? `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '(unnamed)'}` : `document ${i + 1}`;
        problems.push(`${what}: ${r.error}`);
      }
    });
    for (const p of problems) this.#log.error({ file }, `invalid object ignored: ${p}`);

    const prev = this.#files.get(file);
    const keys = new Set<string>();
    for (const o of objects) {
      const k = storeKey(o);
      const owner = this.#owner.get(k);
      if (owner !== undefined && owner !== file) {
        this.#log.error({ file, object: formatRef({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name } as never) }, `object is also defined in ${owner}; that definition wins`);
        continue;
      }
      if (keys.has(k)) {
        this.#log.error({ file }, `${formatRef({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name } as never)} is defined twice in this file; the first wins`);
        continue;
      }
      keys.add(k);
      this.#owner.set(k, file);
      if (o.metadata.creationTimestamp === undefined) {
        let t = this.#born.get(k);
        if (t === undefined) this.#born.set(k, (t = this.#now().toISOString()));
        o.metadata.creationTimestamp = t;
      }
      this.#store.upsert(o);
    }
    if (prev) {
      for (const k of prev.keys) if (!keys.has(k)) this.#dropKey(k, file);
    }
    if (prev?.error) this.#log.info({ file }, 'manifest file parses again');
    this.#files.set(file, { mtimeMs, size, keys, error: problems.length > 0 ? problems.join('; ') : null });
  }

  #fileError(file: string, mtimeMs: number, size: number, message: string): void {
    const prev = this.#files.get(file);
    if (prev?.error !== message) this.#log.error({ file }, `cannot load manifest file (keeping its last good objects): ${message}`);
    this.#files.set(file, { mtimeMs, size, keys: prev?.keys ?? new Set(), error: message });
  }

  #removeFile(file: string): void {
    const st = this.#files.get(file);
    this.#files.delete(file);
    if (!st) return;
    for (const k of st.keys) this.#dropKey(k, file);
  }

  #dropKey(k: string, file: string): void {
    if (this.#owner.get(k) !== file) return;
    this.#owner.delete(k);
    this.#born.delete(k);
    const [kind, key] = k.split('\0') as [Kind, string];
    const slash = key.indexOf('/');
    const ns = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    this.#store.delete(kind, ns, name);
  }
}
