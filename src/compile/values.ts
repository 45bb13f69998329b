// Typed parsers for the string values ingress-nginx uses in its ConfigMap and annotations
// (sizes like "1m", unitless seconds, booleans, lists). Built on zod so each parser both
// validates and converts, and reports what form it expected.

import { z } from 'zod';

export type ValueParser<T> = z.ZodType<T, string>;

const SIZE_RE = /^(\d+)([kKmMgG]?)$/;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** nginx size syntax: bytes, or a number with k/m/g (case-insensitive). */
export const size = (): ValueParser<number> =>
  z
    .string()
    .trim()
    .regex(SIZE_RE, 'a size such as 512, 8k, 1m or 1g')
    .transform((s) => {
      const m = SIZE_RE.exec(s)!;
      return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
    });

/** Unitless whole seconds, as ingress-nginx's proxy timeouts. */
export const seconds = (): ValueParser<number> =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'a whole number of seconds')
    .transform(Number)
    .refine((n) => n <= 31_536_000, 'at most one year');

/** nginx time syntax: number with an optional unit ms/s/m/h/d (default seconds); returns seconds. */
export const nginxTime = (): ValueParser<number> =>
  z
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
    });

export const int = (min: number, max: number): ValueParser<number> =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `a number from ${min} to ${max}`);

/** "true"/"false" as ingress-nginx accepts them (Go's strconv.ParseBool). */
export const bool = (): ValueParser<boolean> =>
  z
    .string()
    .trim()
    .refine((s) => /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(s), 'true or false')
    .transform((s) => /^(1|t|T|TRUE|true|True)$/.test(s));

/** Comma-separated list, entries trimmed, empty entries dropped. */
export const list = (): ValueParser<string[]> =>
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );

export const text = (): ValueParser<string> => z.string();

/** Comma-separated HTTP status codes within [min, max] (spaces ignored), deduplicated and sorted. */
export const statusList = (min: number, max: number): ValueParser<number[]> =>
  z
    .string()
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => s.split(',').every((x) => x === '' || (/^\d{3}$/.test(x) && Number(x) >= min && Number(x) <= max)), `comma-separated status codes from ${min} to ${max}, such as "404,503"`)
    .transform((s) => [...new Set(s.split(',').filter((x) => x !== '').map(Number))].sort((a, b) => a - b));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T): ValueParser<T[number]> =>
  z
    .string()
    .trim()
    .refine((s) => (values as readonly string[]).includes(s), `one of ${values.join(', ')}`)
    .transform((s) => s as T[number]);

/** Parses with a typed parser; returns the value or a one-line reason naming the expected form. */
export function parseValue<T>(parser: ValueParser<T>, raw: string): { ok: true; value: T } | { ok: false; error: string } {
  const r = parser.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: `expected ${issue?.message ?? 'a valid value'}` };
}
