// Micro-benchmark of the HTTP/1.1 parsers (not a test): ns per operation for a typical browser
// request head, a small API request, a typical response head, a chunked body scan, and path
// normalisation. Run: node_modules/.bin/node bench/micro/parse-head.ts

import { parseRequestHead, RequestHead } from '../../src/dataplane/http1/request-head.ts';
import { parseResponseHead, ResponseHead } from '../../src/dataplane/http1/response-head.ts';
import { ChunkedScanner } from '../../src/dataplane/http1/chunked.ts';
import { normalizePath } from '../../src/routes/paths.ts';

const browser =
  'GET /static/app/main.3f2a1c.js?v=12 HTTP/1.1\r\n' +
  'Host: shop.example.com\r\n' +
  'Connection: keep-alive\r\n' +
  'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"\r\n' +
  'sec-ch-ua-mobile: ?0\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n' +
  'sec-ch-ua-platform: "Linux"\r\n' +
  'Accept: */*\r\n' +
  'Sec-Fetch-Site: same-origin\r\n' +
  'Sec-Fetch-Mode: no-cors\r\n' +
  'Sec-Fetch-Dest: script\r\n' +
  'Referer: https://shop.example.com/\r\n' +
  'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
  'Accept-Language: en-US,en;q=0.9\r\n' +
  'Cookie: _ga=GA1.1.123456789.1700000000; session=abcdef0123456789abcdef0123456789\r\n';

const api = 'POST /api/v1/orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 123\r\nAuthorization: Bearer abc.def.ghi\r\n';

const response =
  'HTTP/1.1 200 OK\r\n' +
  'Server: nginx\r\n' +
  'Date: Sun, 23 Nov 2025 19:40:00 GMT\r\n' +
  'Content-Type: application/javascript\r\n' +
  'Content-Length: 48213\r\n' +
  'Connection: keep-alive\r\n' +
  'Cache-Control: public, max-age=31536000, immutable\r\n' +
  'ETag: "6553f2a1-bc55"\r\n' +
  'Accept-Ranges: bytes\r\n';

const chunked = Buffer.from('400\r\n' + 'x'.repeat(1024) + '\r\n' + '3;ext=1\r\nabc\r\n' + '0\r\nX-Trailer: 1\r\n\r\n', 'latin1');

function bench(name: string, iterations: number, fn: () => void): void {
  for (let i = 0; i < Math.min(iterations, 200_000); i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  console.log(`${name.padEnd(40)} ${ns.toFixed(1).padStart(8)} ns/op`);
}

const req = new RequestHead();
const res = new ResponseHead();
const sc = new ChunkedScanner();
let sink = 0;

bench('parseRequestHead (browser, 14 headers)', 2_000_000, () => {
  sink += parseRequestHead(browser, req);
});
bench('parseRequestHead (API POST, 4 headers)', 2_000_000, () => {
  sink += parseRequestHead(api, req);
});
bench('parseResponseHead (9 headers)', 2_000_000, () => {
  sink += parseResponseHead(response, res, 'GET') ? 1 : 0;
});
bench('ChunkedScanner.feed (1 KiB, 2 chunks)', 2_000_000, () => {
  sc.reset();
  sink += sc.feed(chunked, 0, chunked.length);
});
bench('normalizePath (plain)', 5_000_000, () => {
  sink += normalizePath('/static/app/main.3f2a1c.js')!.length;
});
bench('normalizePath (escapes and dots)', 2_000_000, () => {
  sink += normalizePath('/a/b%20c/./d/../e%2Ff')!.length;
});
if (sink === 42) console.log('');
