// Small cookie helpers for session affinity: finding one cookie in a Cookie header without
// parsing the rest, nginx's cookie date format, and ingress-nginx's list of browsers that reject
// SameSite=None (util/same_site.lua).

/**
 * The value of cookie `name` in a Cookie header (several headers arrive joined by ", "), or null.
 * The first occurrence wins; surrounding spaces are trimmed, quotes are kept.
 */
export function cookieValue(header: string, name: string): string | null {
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at < 0) return null;
    const end = at + name.length;
    from = end;
    if (header.charCodeAt(end) !== 61 /* = */) continue;
    if (at > 0) {
      // Must start a cookie-pair: after the start, "; ", ";" or ", ".
      let p = at - 1;
      while (p >= 0 && (header.charCodeAt(p) === 32 || header.charCodeAt(p) === 9)) p--;
      if (p >= 0 && header.charCodeAt(p) !== 59 /* ; */ && header.charCodeAt(p) !== 44 /* , */) continue;
    }
    let stop = end + 1;
    while (stop < header.length) {
      const c = header.charCodeAt(stop);
      if (c === 59 || c === 44) break;
      stop++;
    }
    return header.slice(end + 1, stop).trim();
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** nginx's ngx_http_cookie_time ("Thu, 18-Nov-10 11:27:35 GMT"; 4-digit years after 2037). */
export function cookieTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const y = d.getUTCFullYear();
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${y > 2037 ? y : two(y % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/**
 * False for user agents that reject or mishandle SameSite=None cookies: Chrome 40-69 ("Chrome/4",
 * "Chrome/5", "Chrome/6"), iOS 12 and macOS 10.14 Safari (the Chromium "incompatible clients"
 * list as ingress-nginx encodes it). No User-Agent: compatible.
 */
export function sameSiteNoneCompatible(ua: string | null): boolean {
  if (ua === null) return true;
  if (ua.includes('Chrome/4') || ua.includes('Chrome/5') || ua.includes('Chrome/6')) return false;
  if (ua.includes('CPU iPhone OS 12') || ua.includes('iPad; CPU OS 12')) return false;
  if (ua.includes('Macintosh') && ua.includes('Intel Mac OS X 10_14') && ua.includes('Safari') && !ua.includes('Chrome')) return false;
  return true;
}
