// Header fields between HTTP/1.1 and HTTP/2 (RFC 9113 8.2): connection-specific fields never
// cross into HTTP/2, names are lower case there, and multiple cookie fields are joined with "; "
// when a request goes to an HTTP/1.1 upstream (RFC 9113 8.2.3).

/** Fields that are meaningless or forbidden on an HTTP/2 message. */
export function isConnectionSpecific(lowerName: string): boolean {
  switch (lowerName) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'http2-settings':
    case 'te':
      return true;
    default:
      return false;
  }
}

/** "name: value\n"... (trailer lines as collected by ChunkedScanner) → flat [name, value, ...]. */
export function parseFieldLines(text: string, out: string[]): string[] {
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < lineEnd) {
      const name = text.slice(pos, colon).toLowerCase();
      if (!isConnectionSpecific(name)) out.push(name, text.slice(colon + 1, lineEnd).trim());
    }
    pos = eol + 1;
  }
  return out;
}

/** A flat [name, value, ...] list → header lines for an HTTP/1.1 message. */
export function toFieldLines(flat: readonly string[]): string {
  let s = '';
  for (let i = 0; i + 1 < flat.length; i += 2) s += `${flat[i]}: ${flat[i + 1]}\r\n`;
  return s;
}
