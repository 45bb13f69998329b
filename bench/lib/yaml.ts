// A small block-style YAML emitter for generated Kubernetes manifests (plain data only:
// objects, arrays, strings, numbers, booleans, null). Much faster than a general library for
// tens of thousands of objects, and the output reads like hand-written manifests. Strings that
// YAML could read as something else are written double-quoted (JSON string syntax is valid YAML).

const PLAIN = /^[A-Za-z_/.][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

export function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = String(v);
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isScalar(item)) out.push(`${indent}- ${yamlScalar(item)}`);
      else if (Array.isArray(item)) {
        if (item.length === 0) out.push(`${indent}- []`);
        else {
          out.push(`${indent}-`);
          emit(item, indent + '  ', out);
        }
      } else {
        const entries = Object.entries(item as Record<string, unknown>).filter(([, x]) => x !== undefined);
        if (entries.length === 0) {
          out.push(`${indent}- {}`);
          continue;
        }
        // First key on the dash line, the rest indented under it.
        const sub: string[] = [];
        emitMap(entries, indent + '  ', sub);
        sub[0] = `${indent}- ${sub[0]!.slice(indent.length + 2)}`;
        for (const l of sub) out.push(l);
      }
    }
    return;
  }
  emitMap(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined), indent, out);
}

function emitMap(entries: [string, unknown][], indent: string, out: string[]): void {
  for (const [k, val] of entries) {
    const key = yamlScalar(k);
    if (isScalar(val)) out.push(`${indent}${key}: ${yamlScalar(val)}`);
    else if (Array.isArray(val)) {
      if (val.length === 0) out.push(`${indent}${key}: []`);
      else {
        out.push(`${indent}${key}:`);
        emit(val, indent, out);
      }
    } else {
      const e = Object.entries(val as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (e.length === 0) out.push(`${indent}${key}: {}`);
      else {
        out.push(`${indent}${key}:`);
        emitMap(e, indent + '  ', out);
      }
    }
  }
}

/** One YAML document (no leading "---"). */
export function toYaml(doc: unknown): string {
  if (isScalar(doc)) return yamlScalar(doc) + '\n';
  const out: string[] = [];
  emit(doc, '', out);
  return out.join('\n') + '\n';
}

/** Multi-document YAML stream. */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => `---\n${toYaml(d)}`).join('');
}
