// Request metrics (nginx_ingress_controller_requests, ..._request_duration_seconds, ...) kept in
// plain typed arrays and exported at scrape time. prom-client's observe() hashes the label set on
// every call (even through labels() children); here the hot path does one Map lookup by a number
// and a few array increments, and prom-client only sees the totals when /metrics is read.
// The objects implement the registry's metric interface (get()), so the text format, the JSON
// form and the cluster aggregation of prom-client all work unchanged.

import type { Registry } from 'prom-client';

export const TIME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const SIZE_BUCKETS = [10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];

export const REQUEST_LABELS = ['ingress', 'namespace', 'service', 'status', 'method', 'path', 'host', 'canary'] as const;
export type RequestLabels = Record<(typeof REQUEST_LABELS)[number], string>;

/** Counts for one label set: a counter and four histograms, in one flat array. */
export class RequestSeries {
  readonly labels: RequestLabels;
  count = 0;
  /** Per histogram: bucket counts (non-cumulative) + sum. */
  readonly duration = new Float64Array(TIME_BUCKETS.length + 2);
  readonly upstream = new Float64Array(TIME_BUCKETS.length + 2);
  readonly reqSize = new Float64Array(SIZE_BUCKETS.length + 2);
  readonly respSize = new Float64Array(SIZE_BUCKETS.length + 2);

  constructor(labels: RequestLabels) {
    this.labels = labels;
  }
}

/** Adds one observation: bucket index by linear scan (11 bounds), then the sum in the last slot. */
export function observe(h: Float64Array, bounds: readonly number[], v: number): void {
  let i = 0;
  const n = bounds.length;
  while (i < n && v > bounds[i]!) i++;
  h[i]!++;
  h[n + 1]! += v;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

type MetricType = 'counter' | 'histogram';

/** The registry-facing side of one exported metric. */
class ExportedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregator = 'sum';
  readonly #values: () => MetricValue[];

  constructor(name: string, help: string, type: MetricType, values: () => MetricValue[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#values = values;
  }

  get(): { name: string; help: string; type: MetricType; values: MetricValue[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.#values(), aggregator: this.aggregator };
  }

  reset(): void {}
}

function histogramValues(name: string, series: Iterable<RequestSeries>, pick: (s: RequestSeries) => Float64Array, bounds: readonly number[]): MetricValue[] {
  const out: MetricValue[] = [];
  for (const s of series) {
    const h = pick(s);
    let total = 0;
    for (let i = 0; i <= bounds.length; i++) total += h[i]!;
    if (total === 0) continue;
    let acc = 0;
    for (let i = 0; i < bounds.length; i++) {
      acc += h[i]!;
      out.push({ value: acc, labels: { ...s.labels, le: bounds[i]! }, metricName: `${name}_bucket` });
    }
    out.push({ value: total, labels: { ...s.labels, le: '+Inf' }, metricName: `${name}_bucket` });
    out.push({ value: h[bounds.length + 1]!, labels: s.labels, metricName: `${name}_sum` });
    out.push({ value: total, labels: s.labels, metricName: `${name}_count` });
  }
  return out;
}

/** All request series of this process, keyed by their label set; registered once per registry. */
export class RequestMetrics {
  readonly #series = new Map<string, RequestSeries>();

  constructor(registry: Registry, prefix: string) {
    const all = (): Iterable<RequestSeries> => this.#series.values();
    const metrics = [
      new ExportedMetric(`${prefix}requests`, 'The total number of client requests', 'counter', () => [...all()].map((s) => ({ value: s.count, labels: s.labels }))),
      new ExportedMetric(`${prefix}request_duration_seconds`, 'The request processing time in seconds (from the request head to the last byte sent)', 'histogram', () =>
        histogramValues(`${prefix}request_duration_seconds`, all(), (s) => s.duration, TIME_BUCKETS),
      ),
      new ExportedMetric(`${prefix}response_duration_seconds`, 'The time spent on receiving the response head from the upstream server', 'histogram', () =>
        histogramValues(`${prefix}response_duration_seconds`, all(), (s) => s.upstream, TIME_BUCKETS),
      ),
      new ExportedMetric(`${prefix}request_size`, 'The request length (including request line, header, and request body)', 'histogram', () =>
        histogramValues(`${prefix}request_size`, all(), (s) => s.reqSize, SIZE_BUCKETS),
      ),
      new ExportedMetric(`${prefix}response_size`, 'The response length (including status line, header, and body)', 'histogram', () =>
        histogramValues(`${prefix}response_size`, all(), (s) => s.respSize, SIZE_BUCKETS),
      ),
    ];
    for (const m of metrics) registry.registerMetric(m as never);
  }

  /** The series for a label set (created on first use; kept for the life of the process). */
  series(labels: RequestLabels): RequestSeries {
    const key = REQUEST_LABELS.map((k) => labels[k]).join('\0');
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = new RequestSeries(labels)));
    return s;
  }
}
