// Reads Kubernetes objects from one manifest file: multi-document YAML or JSON, with `kind: List`
// (and typed lists such as IngressList) flattened. A syntax error is reported with its line.

import { parseAllDocuments } from 'yaml';

export interface ParsedFile {
  objects: unknown[];
  /** Fatal problem: the file's objects are not usable (keep the last good version). */
  error: string | null;
}

export function parseManifestText(text: string): ParsedFile {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const objects: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      return { objects: [], error: `${line !== undefined ? `line ${line}: ` : ''}${e.message.split('\n')[0]}` };
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    flatten(value, objects);
  }
  return { objects, error: null };
}

function flatten(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) flatten(v, out);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      for (const item of o.items) flatten(item, out);
      return;
    }
  }
  out.push(value);
}
