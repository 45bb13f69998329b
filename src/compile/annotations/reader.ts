// Typed access to one Ingress's annotations under the configured prefix. Every read marks the key
// as consumed (the rest are reported as ignored or unsupported), and every invalid value becomes
// an InvalidAnnotation error naming the annotation, the value and the expected form.

import { refOf, type Ingress } from '../../model/k8s.ts';
import type { Diagnostics } from '../diagnostics.ts';
import { parseValue, type ValueParser } from '../values.ts';

export class AnnotationReader {
  readonly ingress: Ingress;
  readonly prefix: string;
  readonly #all: Record<string, string>;
  readonly #diags: Diagnostics;
  readonly consumed = new Set<string>();
  /** Invalid annotations found (the Ingress's routes are denied when non-empty). */
  readonly invalid: string[] = [];

  constructor(ing: Ingress, prefix: string, diags: Diagnostics) {
    this.ingress = ing;
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.#all = ing.metadata.annotations ?? {};
    this.#diags = diags;
  }

  /** Keys (suffixes after the prefix) present on the Ingress. */
  keys(): string[] {
    const out: string[] = [];
    for (const k of Object.keys(this.#all)) if (k.startsWith(this.prefix)) out.push(k.slice(this.prefix.length));
    return out.sort();
  }

  get any(): boolean {
    for (const k in this.#all) if (k.startsWith(this.prefix)) return true;
    return false;
  }

  /** Raw value of `key` (or of the first alias present), consuming it. */
  raw(key: string, ...aliases: string[]): string | undefined {
    for (const k of [key, ...aliases]) {
      const v = this.#all[this.prefix + k];
      if (v !== undefined) {
        this.consumed.add(k);
        return v;
      }
    }
    return undefined;
  }

  /** The key actually present among `key` and its aliases (for messages). */
  presentKey(key: string, ...aliases: string[]): string {
    for (const k of [key, ...aliases]) if (this.#all[this.prefix + k] !== undefined) return k;
    return key;
  }

  /** Parses `key` with a typed parser; undefined when absent; reports and returns undefined when invalid. */
  parse<T>(key: string, parser: ValueParser<T>, ...aliases: string[]): T | undefined {
    const v = this.raw(key, ...aliases);
    if (v === undefined) return undefined;
    const r = parseValue(parser, v);
    if (r.ok) return r.value;
    this.error(this.presentKey(key, ...aliases), v, r.error);
    return undefined;
  }

  /** Records an invalid value: the Ingress is denied (fail closed) until it is fixed. */
  error(key: string, value: string, expected: string): void {
    this.invalid.push(key);
    this.#diags.error(
      refOf(this.ingress),
      'InvalidAnnotation',
      `metadata.annotations["${this.prefix}${key}"]`,
      `invalid value ${JSON.stringify(value)}: ${expected}; the Ingress's paths answer 503 until it is fixed`,
    );
  }

  warn(key: string, reason: 'UnsupportedAnnotation' | 'SnippetIgnored' | 'IgnoredAnnotation' | 'InvalidAnnotation', message: string, severity: 'warning' | 'info' = 'warning'): void {
    this.#diags.add(refOf(this.ingress), severity, reason, `metadata.annotations["${this.prefix}${key}"]`, message);
  }
}
