// Label and field selectors with the grammar and matching rules of k8s.io/apimachinery:
// labels: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>1`, `k<1`;
// fields: `path=v`, `path==v`, `path!=v` with `\` escapes, only on fields the type supports.

import { errors } from './status.ts';
import type { ResourceType } from './resources.ts';

export type Matcher = (obj: KubeObj) => boolean;
export interface KubeObj {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

type LabelOp = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | '>' | '<';
interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

const KEY_RE = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function bad(selector: string, why: string): never {
  throw errors.badRequest(`unable to parse requirement: invalid label selector "${selector}": ${why}`);
}

/** Splits on commas that are not inside a parenthesised value set. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function checkKey(selector: string, key: string): string {
  if (!KEY_RE.test(key) || key.length > 317) bad(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (!VALUE_RE.test(value) || value.length > 63) bad(selector, `invalid label value "${value}"`);
  return value;
}

function parseRequirement(selector: string, raw: string): LabelRequirement {
  const term = raw.trim();
  if (term === '') bad(selector, 'empty requirement');
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (setMatch) {
    const values = setMatch[3].split(',').map((v) => checkValue(selector, v.trim()));
    return { key: checkKey(selector, setMatch[1]), op: setMatch[2] as LabelOp, values };
  }
  if (term.startsWith('!')) return { key: checkKey(selector, term.slice(1).trim()), op: '!exists', values: [] };
  const opMatch = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(term);
  if (opMatch) {
    const op = opMatch[2] === '==' ? '=' : (opMatch[2] as LabelOp);
    const value = opMatch[3].trim();
    if ((op === '>' || op === '<') && !/^-?\d+$/.test(value)) bad(selector, `for 'gt', 'lt' operators, exactly one integer value is required`);
    return { key: checkKey(selector, opMatch[1]), op, values: [op === '>' || op === '<' ? value : checkValue(selector, value)] };
  }
  return { key: checkKey(selector, term), op: 'exists', values: [] };
}

function labelMatches(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && v === req.values[0];
    case '!=':
      return !has || v !== req.values[0];
    case 'in':
      return has && req.values.includes(v);
    case 'notin':
      return !has || !req.values.includes(v);
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(v)) return false;
      return req.op === '>' ? Number(v) > Number(req.values[0]) : Number(v) < Number(req.values[0]);
    }
  }
}

/** Parses a labelSelector query value; throws a 400 ApiError when it does not parse. */
export function parseLabelSelector(selector: string | null | undefined): Matcher {
  if (!selector || selector.trim() === '') return () => true;
  const reqs = splitTopLevel(selector).map((t) => parseRequirement(selector, t));
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every((r) => labelMatches(r, labels));
  };
}

/** Splits on an unescaped separator, keeping escapes for the next stage. */
function splitEscaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      parts.push(cur);
      cur = '';
    } else cur += s[i];
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

function readPath(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Parses a fieldSelector for one resource type; unknown fields are a 400 like the real API. */
export function parseFieldSelector(selector: string | null | undefined, rt: ResourceType): Matcher {
  if (!selector || selector.trim() === '') return () => true;
  const labels: Record<string, string> = {
    'metadata.name': 'metadata.name',
    ...(rt.namespaced ? { 'metadata.namespace': 'metadata.namespace' } : {}),
    ...rt.fieldLabels,
  };
  const terms = splitEscaped(selector, ',').map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)(.*)$/s.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const path = labels[m[1]];
    if (!path) throw errors.badRequest(`field label not supported: ${m[1]}`);
    return { path, negate: m[2] === '!=', value: unescapeValue(m[3]) };
  });
  return (obj) => terms.every((t) => (readPath(obj, t.path) === t.value) !== t.negate);
}
