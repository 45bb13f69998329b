// Host header helpers shared by the redirect steps.

/** Host without port (IPv6 literals keep their brackets). */
export function hostOnly(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** The port written in a Host value, or null. */
export function portOf(host: string): string | null {
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', close < 0 ? 0 : close);
  return colon < 0 || colon === host.length - 1 ? null : host.slice(colon + 1);
}
