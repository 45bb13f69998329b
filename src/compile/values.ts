// Typed parsers for the string values ingress-nginx uses in its ConfigMap and annotations
// (sizes like "1m", unitless seconds, booleans, lists). Built on zod so each parser both
// validates and converts, and reports what form it expected.

import { z } from 'zod';

export type ValueParser<T> = z.ZodType<T, string>;

// Building a zod schema costs far more than running it, and families ask for a parser per
// annotation per Ingress: each distinct parser is built once and shared (schemas are immutable).
const built = new Map<string, ValueParser<unknown>>();
function once<T>(key: string, build: () => ValueParser<T>): ValueParser<T> {
  let p = built.get(key);
  if (!p) built.set(key, (p = build() as ValueParser<unknown>));
  return p as ValueParser<T>;
}

const SIZE_RE = /^(\d+)([kKmMgG]?)$/;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** nginx size syntax: bytes, or a number with k/m/g (case-insensitive). */
export const size = (): ValueParser<number> =>
  once('size', () => z
    .string()
    .trim()
    .regex(SIZE_RE, 'a size such as 512, 8k, 1m or 1g')
    .transform((s) => {
      const m = SIZE_RE.exec(s)!;
      return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
    }));

/** Unitless whole seconds, as ingress-nginx's proxy timeouts. */
export const seconds = (): ValueParser<number> =>
  once('seconds', () => z
    .string()
    .trim()
    .regex(/^\d+$/, 'a whole number of seconds')
    .transform(Number)
    .refine((n) => n <= 31_536_000, 'at most one year'));

/** nginx time syntax: number with an optional unit ms/s/m/h/d (default seconds); returns seconds. */
export const nginxTime = (): ValueParser<number> =>
  once('nginxTime', () => z
    .string()
    .trim()
    .regex(/^\d+(ms|s|m|h|d)?$/, 'a time such as 30, 30s, 5m or 1h')
    .transform((s) => {
      const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s)!;
      const n = Number(m[1]);
      switch (m[2]) {
        case 'ms':
          return n / 1000;
        case 'm':
          return n * 60;
        case 'h':
          return n * 3600;
        case 'd':
          return n * 86400;
        default:
          return n;
      }
    }));

const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go time.ParseDuration syntax ("5s", "1m30s", "250ms"), as ingress-nginx reads some ConfigMap keys; returns seconds. */
export const goDuration = (): ValueParser<number> =>
  z
    .string()
    .trim()
    .regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'a duration such as 5s, 500ms or 1m30s')
    .transform((s) => {
      let total = 0;
      for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * GO_UNITS[m[2]!]!;
      return total;
    });

export const int = (min: number, max: number): ValueParser<number> =>
  once(`int:${min}:${max}`, () => z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `a number from ${min} to ${max}`));

/** "true"/"false" as ingress-nginx accepts them (Go's strconv.ParseBool). */
export const bool = (): ValueParser<boolean> =>
  once('bool', () => z
    .string()
    .trim()
    .refine((s) => /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(s), 'true or false')
    .transform((s) => /^(1|t|T|TRUE|true|True)$/.test(s)));

/** Comma-separated list, entries trimmed, empty entries dropped. */
export const list = (): ValueParser<string[]> =>
  once('list', () =>
    z.string().transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    ),
  );

export const text = (): ValueParser<string> => once('text', () => z.string());

/** Comma-separated HTTP status codes within [min, max] (spaces ignored), deduplicated and sorted. */
export const statusList = (min: number, max: number): ValueParser<number[]> =>
  z
    .string()
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => s.split(',').every((x) => x === '' || (/^\d{3}$/.test(x) && Number(x) >= min && Number(x) <= max)), `comma-separated status codes from ${min} to ${max}, such as "404,503"`)
    .transform((s) => [...new Set(s.split(',').filter((x) => x !== '').map(Number))].sort((a, b) => a - b));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T): ValueParser<T[number]> =>
  once(`oneOf:${JSON.stringify(values)}`, () => z
    .string()
    .trim()
    .refine((s) => (values as readonly string[]).includes(s), `one of ${values.join(', ')}`)
    .transform((s) => s as T[number]));

/** Parses with a typed parser; returns the value or a one-line reason naming the expected form. */
export function parseValue<T>(parser: ValueParser<T>, raw: string): { ok: true; value: T } | { ok: false; error: string } {
  const r = parser.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: `expected ${issue?.message ?? 'a valid value'}` };
}
