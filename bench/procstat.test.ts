// /proc parsing and CPU arithmetic (pure helpers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descendants, machineBusy, parseKbField, parseProcStat, parseSystemStat, pctOfCore, topDeltas, treeTicks, type ProcStat } from './lib/procstat.ts';

const STAT =
  '21686 (cat) R 21680 21680 5011 0 -1 4194304 101 0 0 0 7 3 11 13 20 0 1 0 279892 3133440 413 18446744073709551615 94897711837184 94897711857065 140727806128784 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

test('parses /proc/PID/stat', () => {
  const s = parseProcStat(STAT)!;
  assert.equal(s.pid, 21686);
  assert.equal(s.comm, 'cat');
  assert.equal(s.state, 'R');
  assert.equal(s.ppid, 21680);
  assert.equal(s.utime, 7);
  assert.equal(s.stime, 3);
  assert.equal(s.cutime, 11);
  assert.equal(s.cstime, 13);
  assert.equal(s.processor, 1);
});

test('comm with spaces and parentheses', () => {
  const s = parseProcStat('42 (npm exec (tsc) -p) S 1 42 42 0 -1 0 0 0 0 0 5 6 0 0 20 0')!;
  assert.equal(s.comm, 'npm exec (tsc) -p');
  assert.equal(s.ppid, 1);
  assert.equal(s.utime, 5);
  assert.equal(s.stime, 6);
  assert.equal(s.processor, -1);
});

test('garbage gives null', () => {
  assert.equal(parseProcStat(''), null);
  assert.equal(parseProcStat('1 (x) S 0'), null);
});

test('descendants of a root, root included, other trees excluded', () => {
  const parents = new Map([
    [1, 0],
    [10, 1],
    [11, 10],
    [12, 10],
    [13, 11],
    [20, 1],
    [21, 20],
  ]);
  assert.deepEqual(descendants(10, parents), [10, 11, 12, 13]);
  assert.deepEqual(descendants(21, parents), [21]);
  assert.deepEqual(descendants(99, parents), []);
});

const p = (pid: number, utime: number, stime: number, cutime = 0, cstime = 0): ProcStat => ({ pid, comm: 'x', state: 'S', ppid: 1, utime, stime, cutime, cstime, processor: 0 });

test('tree ticks count reaped children, so an exited worker is not lost', () => {
  // t0: master (10 ticks) + worker (50 ticks). t1: the worker exited after 80 ticks and the
  // master reaped it (cutime 80), a new worker used 5, the master itself 12.
  const t0 = treeTicks([p(1, 6, 4), p(2, 30, 20)]);
  const t1 = treeTicks([p(1, 7, 5, 60, 20), p(3, 3, 2)]);
  assert.equal(t1 - t0, 2 + 30 + 5);
});

test('/proc/stat aggregate line: busy excludes idle, iowait and steal', () => {
  const a = parseSystemStat('cpu  100 0 50 1000 10 5 5 2 0 0\ncpu0 50 0 25 500 5 2 2 1 0 0\n');
  assert.deepEqual(a, { busy: 160, total: 1172, steal: 2 });
  const b = parseSystemStat('cpu  200 0 100 1048 10 5 5 4 0 0\n');
  // 200 ticks passed in total; busy 150 of them; 2 cores → 150% of one core
  const m = machineBusy(a, b, 2);
  assert.equal(m.busyPct, 150);
  assert.equal(m.stealPct, 2);
  assert.equal(pctOfCore(50, a, b, 2), 50);
});

test('kB fields from /proc/PID/status and smaps_rollup', () => {
  const status = 'Name:\tnginx\nVmPeak:\t  999 kB\nVmRSS:\t   20480 kB\nRssAnon:\t 100 kB\n';
  assert.equal(parseKbField(status, 'VmRSS'), 20480);
  assert.equal(parseKbField('Rss:  10 kB\nPss:   7 kB\nPss_Anon: 3 kB\n', 'Pss'), 7);
  assert.equal(parseKbField(status, 'VmSwap'), 0);
});

test('top CPU users between two scans, new processes included', () => {
  const a = new Map([[1, p(1, 10, 0)], [2, p(2, 5, 5)]]);
  const b = new Map([[1, p(1, 11, 0)], [2, p(2, 50, 10)], [3, p(3, 20, 0)]]);
  assert.deepEqual(topDeltas(a, b, 2).map((x) => [x.pid, x.ticks]), [[2, 50], [3, 20]]);
});
