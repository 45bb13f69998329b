// Parsing wrk output (pure helpers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedRequests, parseDurationUs, parseSizeBytes, parseWrkOutput, socketErrors, wrkArgs } from './lib/wrk.ts';

const TEXT = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 1000 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    53.44ms   80.12ms    1.96s    97.05%
    Req/Sec    12.85k     1.83k   16.51k    80.00%
  Latency Distribution
     50%   40.00us
     75%   54.00ms
     90%    1.12ms
     99%  962.20ms
  128142 requests in 10.00s, 22.35MB read
  Socket errors: connect 0, read 12, write 3, timeout 7
  Non-2xx or 3xx responses: 5
Requests/sec:  12814.20
Transfer/sec:      2.23MB
`;

test('durations and sizes', () => {
  assert.equal(parseDurationUs('40.00us'), 40);
  assert.equal(parseDurationUs('1.12ms'), 1120);
  assert.equal(parseDurationUs('1.96s'), 1960000);
  assert.equal(parseDurationUs('2.00m'), 120e6);
  assert.ok(Number.isNaN(parseDurationUs('fast')));
  assert.equal(parseSizeBytes('1.00KB'), 1024);
  assert.equal(parseSizeBytes('2.00MB'), 2 * 1024 * 1024);
});

test('text report', () => {
  const r = parseWrkOutput(TEXT)!;
  assert.equal(r.requests, 128142);
  assert.equal(r.durationS, 10);
  assert.equal(r.rps, 12814.2);
  assert.equal(r.p50Us, 40);
  assert.equal(r.p90Us, 1120);
  assert.equal(r.p99Us, 962200);
  assert.equal(r.maxUs, 1960000);
  assert.equal(r.errRead, 12);
  assert.equal(r.errWrite, 3);
  assert.equal(r.errTimeout, 7);
  assert.equal(r.errStatus, 5);
  assert.equal(r.non2xx, null);
  assert.equal(socketErrors(r), 15);
  assert.equal(failedRequests(r), 5 + 15 + 7);
});

test('text report without errors', () => {
  const r = parseWrkOutput(TEXT.replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, ''))!;
  assert.equal(failedRequests(r), 0);
});

test('WRKJSON line wins over the text, and non2xx is used for failures', () => {
  const line =
    'WRKJSON {"requests":1000,"duration_s":2.000,"bytes":150000,"p50_us":900,"p90_us":1500,"p99_us":4000,"p999_us":9000,"max_us":12000,"mean_us":1000.5,' +
    '"err_connect":0,"err_read":1,"err_write":0,"err_status":2,"err_timeout":0,"non2xx":3,"s1xx":0,"s3xx":1,"s4xx":0,"s5xx":2}';
  const r = parseWrkOutput(`${TEXT}${line}\n`)!;
  assert.equal(r.requests, 1000);
  assert.equal(r.rps, 500);
  assert.equal(r.p99Us, 4000);
  assert.equal(r.p999Us, 9000);
  assert.equal(r.non2xx, 3);
  assert.equal(failedRequests(r), 3 + 1);
});

test('a broken WRKJSON line falls back to the text report', () => {
  const r = parseWrkOutput(`${TEXT}WRKJSON {"requests":\n`)!;
  assert.equal(r.requests, 128142);
});

test('nothing recognisable', () => {
  assert.equal(parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), null);
});

test('command line', () => {
  const a = wrkArgs({ url: 'http://127.0.0.1:1/x', connections: 64, durationS: 10, headers: ['Host: a.test'], cpu: '0', countStatus: true });
  assert.deepEqual(a.slice(0, 6), ['-t1', '-c64', '-d10s', '--timeout', '5s', '--latency']);
  assert.ok(a[7]!.endsWith('report-status.lua'));
  assert.deepEqual(a.slice(8), ['-H', 'Host: a.test', 'http://127.0.0.1:1/x']);
});
