// Responses sluice generates itself (errors, redirects), in the shape ingress-nginx produces:
// small HTML bodies with the status text, precomputed once per status.

export const STATUS_TEXT: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  494: 'Request Header Or Cookie Too Large',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version Not Supported',
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? 'Unknown';
}

const bodies = new Map<number, string>();

/** The HTML error page body for a status (ingress-nginx style, branded sluice). */
export function errorBody(code: number): string {
  let b = bodies.get(code);
  if (b === undefined) {
    const t = `${code} ${statusText(code)}`;
    b = `<html>\r\n<head><title>${t}</title></head>\r\n<body>\r\n<center><h1>${t}</h1></center>\r\n<hr><center>sluice</center>\r\n</body>\r\n</html>\r\n`;
    bodies.set(code, b);
  }
  return b;
}

/** Builds a complete response head for a generated response. `extra` is pre-formatted header lines. */
export function generatedHead(code: number, contentType: string, length: number, keepAlive: boolean, extra: string): string {
  return (
    `HTTP/1.1 ${code} ${statusText(code)}\r\n` +
    `Date: ${httpDate()}\r\n` +
    (contentType === '' ? '' : `Content-Type: ${contentType}\r\n`) +
    `Content-Length: ${length}\r\n` +
    extra +
    (keepAlive ? 'Connection: keep-alive\r\n\r\n' : 'Connection: close\r\n\r\n')
  );
}

let dateCache = '';
let dateSecond = 0;

/** IMF-fixdate, cached per second. */
export function httpDate(): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateCache = new Date(now).toUTCString();
  }
  return dateCache;
}
