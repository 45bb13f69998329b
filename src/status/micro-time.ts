// metav1.MicroTime (Lease renewTime/acquireTime, Event eventTime/series.lastObservedTime): the API
// rejects timestamps without exactly six fractional digits.

/** metav1.MicroTime as the API wants it: RFC 3339 with exactly six fractional digits. */
export function microTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
