// sluice benchmark: sluice beside nginx and HAProxy in the same run, one comparison table.
//
//   npm run bench                 # full run: 3 interleaved rounds × 10 s per case (~30 min)
//   npm run bench -- --quick      # ~1-2 minutes: fewer cases, 1 round × 2 s
//   npm run bench -- --only 'c64|tls' --rounds 3 --duration 5
//
// Method (after /work/shared/bench-reference): a backend nginx answers "ok\n" and serves a
// 1 MiB file on two loopback ports; each proxy routes to both. wrk -t1 pinned to core 0 is the
// client. Every case gets a fresh proxy process, a body check, an unrecorded warm-up, then one
// recorded run; rounds are interleaved (each round runs every case once) and the table shows
// medians. CPU per request is utime+stime of all the proxy's processes / requests. Before each
// recorded run the bench waits for an idle machine, and redoes runs that other load disturbed.
// See bench/README.md.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, type Backend } from './lib/backend.ts';
import { churnObjects, writeFileAtomic } from './lib/k8s-objects.ts';
import { describeMachine, missingTools, waitQuiet, which } from './lib/machine.ts';
import { measureRun, type Measurement } from './lib/measure.ts';
import { allocatePorts, httpGet } from './lib/net.ts';
import { installCleanupHandlers, onExit, stopAllTracked } from './lib/procs.ts';
import { nginxChurnIncludeFile, proxyLabel, scrapeMetrics, sluiceAvailable, startProxy, StartError, type BenchEnv, type ProxySpec, type RunningProxy } from './lib/proxies.ts';
import { renderNotes, renderTable, summarize, type RunRecord } from './lib/report.ts';
import { hostsTable, nginxChurnInclude, realisticTable, targetHost, type RouteSpec } from './lib/routes.ts';
import { makeBenchCert } from './lib/tlscert.ts';
import { toYamlStream } from './lib/yaml.ts';
import { failedRequests, runWrk, type WrkRun } from './lib/wrk.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');

// ---------------------------------------------------------------- options

interface Opts {
  quick: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  only: RegExp | null;
  wrkCpu: string | null;
  proxyCpus: string | null;
  backendCpus: string | null;
  quietPct: number;
  foreignMax: number;
  tries: number;
  gateMaxS: number;
  gateSampleMs: number;
  /** Total seconds the whole bench may spend waiting for quiet and redoing runs. */
  noiseBudgetS: number;
  keep: boolean;
  realisticIngresses: number;
  churnMs: number;
}

const HELP = `usage: npm run bench -- [options]
  --quick             smoke run (~1.5 min): 12 cases, 1 round, 2 s per run, no redos
  --rounds N          interleaved rounds (default 3; quick 1)
  --duration S        seconds per recorded run (default 10; quick 2)
  --warmup S          unrecorded warm-up seconds (default 3; quick 1)
  --only REGEX        run only cases whose id (e.g. "c64/sluice-1w") matches
  --wrk-cpu LIST      taskset CPU list for wrk (default 0; "none" = unpinned)
  --proxy-cpus LIST   pin the proxies (default: unpinned); e.g. --proxy-cpus 1 --backend-cpus 0 is
  --backend-cpus LIST   the reference's arrangement B (meant for single-process proxies: --only '1w|1t')
  --quiet-pct P       start a run only when the machine is < P% busy (of 100 per core; default 6)
  --foreign-max P     redo a run when other processes used > P% (default 10)
  --tries N           attempts per run before a noisy one is accepted (default 3)
  --gate-max S        longest wait for a quiet machine before each run (default 60; quick 5)
  --noise-budget S    total time all waits and redone runs may take, so the bench always
                      finishes (default 1200; quick 30); once spent, runs are measured as they come
  --ingresses N       size of the realistic route table (default 1000 Ingresses, 5 paths each)
  --churn-ms MS       route-change interval (default 100)
  --keep              keep the temporary run directory (configs, manifests, logs)
  --list              print the case ids and exit`;

function parseOpts(argv: string[]): Opts & { list: boolean } {
  const quick = argv.includes('--quick');
  const o = {
    quick,
    rounds: quick ? 1 : 3,
    durationS: quick ? 2 : 10,
    warmupS: quick ? 1 : 3,
    only: null as RegExp | null,
    wrkCpu: '0' as string | null,
    proxyCpus: null as string | null,
    backendCpus: null as string | null,
    quietPct: 6,
    foreignMax: 10,
    tries: quick ? 1 : 3,
    gateMaxS: quick ? 5 : 60,
    gateSampleMs: quick ? 300 : 1500,
    noiseBudgetS: quick ? 30 : 1200,
    keep: false,
    realisticIngresses: 1000,
    churnMs: 100,
    list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a}: not a number`);
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--rounds': o.rounds = Math.max(1, Math.round(num())); break;
      case '--duration': o.durationS = Math.max(1, Math.round(num())); break;
      case '--warmup': o.warmupS = Math.round(num()); break;
      case '--only': o.only = new RegExp(val()); break;
      case '--wrk-cpu': { const v = val(); o.wrkCpu = v === 'none' ? null : v; break; }
      case '--proxy-cpus': o.proxyCpus = val(); break;
      case '--backend-cpus': o.backendCpus = val(); break;
      case '--quiet-pct': o.quietPct = num(); break;
      case '--foreign-max': o.foreignMax = num(); break;
      case '--tries': o.tries = Math.max(1, Math.round(num())); break;
      case '--gate-max': o.gateMaxS = num(); break;
      case '--noise-budget': o.noiseBudgetS = num(); break;
      case '--ingresses': o.realisticIngresses = Math.max(2, Math.round(num())); break;
      case '--churn-ms': o.churnMs = Math.max(10, Math.round(num())); break;
      case '--keep': o.keep = true; break;
      case '--list': o.list = true; break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

// ---------------------------------------------------------------- cases

interface CaseDef {
  id: string;
  group: string;
  proxy: ProxySpec;
  table: 'realistic' | 'hosts10' | 'hosts10k' | 'churn';
  scheme: 'http' | 'https';
  path: 'target' | '/1m';
  conns: number;
  ref: string;
  churn: boolean;
  quick: boolean;
}

const NGINX1: ProxySpec = { kind: 'nginx', workers: 1 };
const NGINX2: ProxySpec = { kind: 'nginx', workers: 2 };
const NGINX1_64K: ProxySpec = { kind: 'nginx', workers: 1, bufSize: '64k' };
const HAPROXY1: ProxySpec = { kind: 'haproxy', workers: 1 };
const SLUICE1: ProxySpec = { kind: 'sluice', workers: 1 };
const SLUICE2: ProxySpec = { kind: 'sluice', workers: 2 };

function buildCases(): CaseDef[] {
  const cases: CaseDef[] = [];
  const add = (group: string, proxy: ProxySpec, quick: boolean, o: Partial<CaseDef> = {}): void => {
    const id = `${group}/${proxyLabel(proxy)}`;
    cases.push({ id, group, proxy, table: 'realistic', scheme: 'http', path: 'target', conns: 64, ref: `${group}/nginx-1w`, churn: false, quick, ...o });
  };
  for (const [p, q] of [[NGINX1, true], [NGINX2, false], [HAPROXY1, false], [SLUICE1, true], [SLUICE2, true]] as const) add('c64', p, q);
  for (const [p, q] of [[NGINX1, true], [HAPROXY1, false], [SLUICE1, true], [SLUICE2, false]] as const) add('tls', p, q, { scheme: 'https' });
  for (const [p, q] of [[NGINX1, true], [HAPROXY1, false], [SLUICE1, true], [SLUICE2, false]] as const) add('c1000', p, q, { conns: 1000 });
  for (const [p, q] of [[NGINX1_64K, true], [HAPROXY1, false], [SLUICE1, true]] as const) add('1m', p, q, { path: '/1m', ref: '1m/nginx-1w-buf64k' });
  for (const [p, q] of [[NGINX1, false], [HAPROXY1, false], [SLUICE1, false]] as const) add('hosts10', p, q, { table: 'hosts10' });
  for (const [p, q] of [[NGINX1, true], [HAPROXY1, false], [SLUICE1, true]] as const) add('hosts10k', p, q, { table: 'hosts10k' });
  for (const [p, q] of [[NGINX1, false], [SLUICE1, true], [SLUICE2, false]] as const) add('churn', p, q, { table: 'churn', churn: true, ref: 'c64/nginx-1w' });
  return cases;
}

// ---------------------------------------------------------------- helpers

/** Route-table swaps, compiles and compile time (sluice /metrics), read around a churn run. */
const CHURN_METRICS = ['nginx_ingress_controller_success', 'sluice_compile_duration_seconds_count', 'sluice_compile_duration_seconds_sum'] as const;

const log = (s: string): void => {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${t}] ${s}\n`);
};

function fdLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The request must come back as 200 with the exact body ("ok\n" or the 1 MiB file). */
async function bodyCheck(env: BenchEnv, backend: Backend, t: RouteSpec, c: CaseDef): Promise<{ ok: boolean; why: string; tlsProtocol: string | null }> {
  const host = targetHost(t);
  const path = c.path === '/1m' ? '/1m' : t.targetPath;
  try {
    const r = await httpGet({ port: c.scheme === 'https' ? env.httpsPort : env.httpPort, host, path, tls: c.scheme === 'https', servername: host, timeoutMs: 10_000 });
    const want = c.path === '/1m' ? backend.oneMiB : Buffer.from('ok\n');
    if (r.status !== 200) return { ok: false, why: `status ${r.status}: ${r.body.subarray(0, 200).toString()}`, tlsProtocol: r.tlsProtocol };
    if (!r.body.equals(want)) return { ok: false, why: `body differs (${r.body.length} bytes, want ${want.length})`, tlsProtocol: r.tlsProtocol };
    return { ok: true, why: '', tlsProtocol: r.tlsProtocol };
  } catch (e) {
    return { ok: false, why: (e as Error).message, tlsProtocol: null };
  }
}

/** Applies a route change every `ms` while running (sluice: rewrite a manifest; nginx: reload). */
class Churn {
  #timer: NodeJS.Timeout | null = null;
  #gen = 0;
  writes = 0;
  readonly #step: (gen: number) => void;
  readonly #ms: number;
  constructor(step: (gen: number) => void, ms: number) {
    this.#step = step;
    this.#ms = ms;
  }
  start(): void {
    this.writes = 0;
    this.#timer = setInterval(() => {
      this.#step(++this.#gen);
      this.writes++;
    }, this.#ms);
  }
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
  reset(): void {
    this.#gen = 0;
    this.#step(0);
  }
}

function makeChurn(env: BenchEnv, c: CaseDef, t: RouteSpec, proxy: RunningProxy, ms: number): Churn | null {
  if (!c.churn) return null;
  if (c.proxy.kind === 'sluice' && proxy.manifests) {
    const file = proxy.manifests.targetFile;
    return new Churn((gen) => writeFileAtomic(file, toYamlStream(churnObjects(t, gen))), ms);
  }
  if (c.proxy.kind === 'nginx') {
    // What ingress-nginx does on an Ingress change: rewrite the config and reload (SIGHUP).
    const file = nginxChurnIncludeFile(env);
    return new Churn((gen) => {
      writeFileAtomic(file, nginxChurnInclude(gen));
      if (gen > 0) process.kill(proxy.tracked.pid, 'SIGHUP');
    }, ms);
  }
  return null;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const o = parseOpts(process.argv.slice(2));
  const allCases = buildCases();
  const cases = allCases.filter((c) => (!o.quick || c.quick) && (!o.only || o.only.test(c.id)));
  if (o.list) {
    for (const c of allCases) console.log(`${c.id}${c.quick ? '  (quick)' : ''}`);
    return;
  }
  if (cases.length === 0) throw new Error('no case matches --only');

  const [major] = process.versions.node.split('.').map(Number);
  if ((major ?? 0) < 24) throw new Error(`needs Node 24 (this is ${process.version}); run it with npm run bench`);
  const missing = missingTools(['wrk', 'nginx', 'haproxy', 'openssl']);
  if (missing.length > 0) {
    console.error(`missing tools: ${missing.join(', ')}\ninstall them with:  sudo apt-get install wrk nginx haproxy openssl\n(the bench installs nothing itself)`);
    process.exit(2);
  }
  if (o.wrkCpu !== null && !which('taskset')) {
    log('taskset not found (util-linux): wrk runs unpinned');
    o.wrkCpu = null;
  }
  const limit = fdLimit();
  if (limit < 4096) log(`WARNING: open-file limit is ${limit}; c1000 cases need more (ulimit -n 20000)`);

  installCleanupHandlers();
  const runDir = mkdtempSync(join(os.tmpdir(), 'sluice-bench-'));
  if (!o.keep) onExit(() => rmSync(runDir, { recursive: true, force: true }));
  for (const d of ['logs', 'tmp', 'tls']) mkdirSync(join(runDir, d), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  const resDir = join(BENCH_DIR, 'results', stamp);
  mkdirSync(resDir, { recursive: true });
  const rawFile = join(resDir, 'raw.jsonl');
  writeFileSync(rawFile, '');

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [b1, b2, bs, http, https, admin] = await allocatePorts(6);
  const cert = await makeBenchCert(join(runDir, 'tls'));
  const env: BenchEnv = {
    runDir,
    repoRoot: REPO,
    nodeBin: process.execPath,
    asRoot,
    httpPort: http!,
    httpsPort: https!,
    adminPort: admin!,
    backendPorts: [b1!, b2!],
    ...cert,
    proxyCpus: o.proxyCpus,
    sluiceConfig: {
      'disable-access-log': 'true',
      'keep-alive-requests': '1000000',
      'upstream-keepalive-connections': '320',
      // An Ingress with spec.tls would 308-redirect plain HTTP (ingress-nginx default); the
      // nginx/HAProxy configs do not redirect, so neither does sluice here.
      'ssl-redirect': 'false',
    },
  };

  const machine = describeMachine(env.nodeBin);
  const rev = spawnSync('git', ['-C', REPO, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim();
  machine['sluice commit'] = rev || '?';
  const header = [
    '# sluice bench',
    '',
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    `- settings: rounds=${o.rounds} duration=${o.durationS}s warmup=${o.warmupS}s wrk=-t1 pinned to ${o.wrkCpu ?? 'none'}, proxies ${o.proxyCpus ? `pinned to ${o.proxyCpus}` : 'unpinned'}, backend ${o.backendCpus ? `pinned to ${o.backendCpus}` : 'unpinned'}, quiet<${o.quietPct}% foreign-max=${o.foreignMax}%`,
    `- ports: backend 127.0.0.1:${b1},${b2} (status ${bs}); proxy http ${http} https ${https} admin ${admin}`,
    `- run dir: ${runDir}`,
    '',
  ].join('\n');
  process.stdout.write(header + '\n');
  writeFileSync(join(resDir, 'env.txt'), header);

  const backend = await startBackend(runDir, [b1!, b2!], bs!, asRoot, o.backendCpus);
  log(`backend nginx pid ${backend.tracked.pid} on ${b1}, ${b2}`);

  const realistic = realisticTable(o.realisticIngresses);
  const tables: Record<CaseDef['table'], RouteSpec> = {
    realistic,
    churn: { ...realistic, name: `${realistic.name}-churn` },
    hosts10: hostsTable(10),
    hosts10k: hostsTable(10_000),
  };
  log(`route tables: realistic = ${realistic.describe}; hosts = 10 / 10,000`);
  if (!sluiceAvailable(env)) log('bin/sluice.js is not in this checkout: sluice cases are reported as not available (git merge main)');

  const session = stamp;
  const records: RunRecord[] = [];
  const unavailable = new Map<string, string>();
  let noiseBudget = o.noiseBudgetS;
  const emit = (r: RunRecord): void => {
    records.push(r);
    appendFileSync(rawFile, JSON.stringify(r) + '\n');
  };

  for (let round = 1; round <= o.rounds; round++) {
    log(`=== round ${round}/${o.rounds}`);
    for (const c of cases) {
      const t = tables[c.table];
      const base: RunRecord = {
        session, round, case: c.id, group: c.group, proxy: proxyLabel(c.proxy), ref: c.ref, table: t.name,
        scheme: c.scheme, path: c.path === '/1m' ? '/1m' : t.targetPath, conns: c.conns, try: 0, clean: true,
      };
      const cached = unavailable.get(c.id) ?? (c.proxy.kind === 'sluice' ? unavailable.get('sluice') : undefined);
      if (cached) {
        emit({ ...base, unavailable: cached });
        continue;
      }
      log(`case ${c.id}: ${t.describe}, ${c.scheme}, c=${c.conns}`);
      let proxy: RunningProxy;
      try {
        proxy = await startProxy(env, c.proxy, t);
      } catch (e) {
        const why = (e as Error).message;
        log(`  ${c.id}: cannot start: ${why}`);
        if (e instanceof StartError && /not in this checkout/.test(why)) unavailable.set('sluice', 'bin/sluice.js missing');
        emit({ ...base, unavailable: `start failed: ${why}` });
        continue;
      }
      try {
        // Features that may not exist yet in sluice: detect, report, move on.
        if (c.proxy.kind === 'sluice') {
          if (c.scheme === 'https' && proxy.notes.tlsListener !== true) {
            unavailable.set(c.id, 'TLS listener not in this sluice build (https port closed)');
            for (const x of cases) if (x.proxy.kind === 'sluice' && x.scheme === 'https') unavailable.set(x.id, unavailable.get(c.id)!);
          } else if (c.proxy.workers > 1 && Number(proxy.notes.processes) <= 1) {
            const why = `--workers ${c.proxy.workers} runs as ${String(proxy.notes.processes)} process in this sluice build`;
            for (const x of cases) if (x.proxy.kind === 'sluice' && x.proxy.workers > 1) unavailable.set(x.id, why);
          }
          if (unavailable.has(c.id)) {
            log(`  ${c.id}: not available: ${unavailable.get(c.id)}`);
            emit({ ...base, unavailable: unavailable.get(c.id)!, notes: proxy.notes });
            continue;
          }
        }
        const check = await bodyCheck(env, backend, t, c);
        if (!check.ok) {
          log(`  ${c.id}: BODY CHECK FAILED: ${check.why}`);
          emit({ ...base, unavailable: `body check failed: ${check.why}`, notes: proxy.notes });
          continue;
        }
        const churn = makeChurn(env, c, t, proxy, o.churnMs);
        const run: WrkRun = {
          url: `${c.scheme}://127.0.0.1:${c.scheme === 'https' ? env.httpsPort : env.httpPort}${c.path === '/1m' ? '/1m' : t.targetPath}`,
          connections: c.conns,
          durationS: o.durationS,
          headers: [`Host: ${targetHost(t)}`],
          countStatus: c.churn,
          cpu: o.wrkCpu,
        };
        if (o.warmupS > 0) {
          churn?.start();
          await runWrk({ ...run, durationS: o.warmupS });
          churn?.stop();
        }
        let m: Measurement | null = null;
        let tryNo = 0;
        let gateInfo = { waitedS: 0, busyPct: NaN, quiet: true };
        let swaps = NaN;
        let compiles = NaN;
        let compileMs = NaN;
        let writes = 0;
        for (tryNo = 1; tryNo <= o.tries; tryNo++) {
          gateInfo = await waitQuiet({ quietPct: o.quietPct, maxWaitS: Math.min(o.gateMaxS, Math.max(0, noiseBudget)), sampleMs: o.gateSampleMs, log, ours: () => new Set([...proxy.tracked.pids(), ...backend.tracked.pids()]) });
          noiseBudget -= Math.max(0, gateInfo.waitedS - o.gateSampleMs / 1000);
          const s0 = churn && proxy.adminPort ? await scrapeMetrics(proxy.adminPort, CHURN_METRICS) : null;
          churn?.start();
          m = await measureRun(proxy.tracked, backend, run);
          churn?.stop();
          writes = churn?.writes ?? 0;
          if (churn && proxy.adminPort && s0) {
            const s1 = await scrapeMetrics(proxy.adminPort, CHURN_METRICS);
            swaps = s1[CHURN_METRICS[0]]! - s0[CHURN_METRICS[0]]!;
            compiles = s1[CHURN_METRICS[1]]! - s0[CHURN_METRICS[1]]!;
            compileMs = ((s1[CHURN_METRICS[2]]! - s0[CHURN_METRICS[2]]!) / compiles) * 1000;
          }
          if (m.foreignCpuPct <= o.foreignMax || tryNo === o.tries) break;
          if (!gateInfo.quiet || noiseBudget <= 0) {
            log(`  ${c.id}: other processes used ${m.foreignCpuPct.toFixed(1)}% during the run; keeping it (marked noisy: ${noiseBudget <= 0 ? 'noise budget spent' : 'the machine never got quiet'})`);
            break;
          }
          noiseBudget -= m.wallS;
          log(`  ${c.id}: other processes used ${m.foreignCpuPct.toFixed(1)}% during the run (${m.foreignTop.join(', ') || 'kernel or short-lived processes'}); redoing (try ${tryNo}/${o.tries})`);
        }
        churn?.reset();
        const alive = !proxy.tracked.hasExited();
        const rec: RunRecord = {
          ...base,
          try: tryNo,
          clean: m!.foreignCpuPct <= o.foreignMax,
          tlsProtocol: check.tlsProtocol,
          gate: gateInfo,
          startS: proxy.startS,
          notes: { ...proxy.notes, aliveAfterRun: alive },
          churn: churn ? { writes, tableSwaps: swaps, compiles, compileMeanMs: compileMs } : null,
          ...m!,
        };
        emit(rec);
        const w = m!.wrk;
        if (!w) log(`  ${c.id}: wrk output not understood: ${m!.wrkOutputTail}`);
        else {
          log(
            `  ${c.id} #${round}: ${Math.round(w.rps)} req/s p50=${(w.p50Us / 1000).toFixed(2)}ms p99=${(w.p99Us / 1000).toFixed(2)}ms ` +
              `cpu=${m!.proxyUsPerReq.toFixed(1)}us/req (${m!.proxyCpuPct.toFixed(0)}%) rss=${(m!.rssPeakKb / 1024).toFixed(1)}MiB ` +
              `failed=${failedRequests(w)} busy=${m!.machineBusyPct.toFixed(0)}% foreign=${m!.foreignCpuPct.toFixed(1)}% onWrkCpu=${m!.proxyOnWrkCpuPct.toFixed(0)}% upNew=${m!.upstreamNewConns}` +
              (churn ? ` writes=${writes} swaps=${swaps} compiles=${compiles} compile=${compileMs.toFixed(0)}ms` : '') + (alive ? '' : ' PROXY EXITED'),
          );
        }
      } finally {
        await proxy.tracked.stop();
      }
    }
  }

  await stopAllTracked();
  const rows = summarize(records, cases.map((c) => c.id));
  const tableMd = [
    header,
    `Route table for the main cases: ${realistic.describe}; request to ${targetHost(realistic)}${realistic.targetPath}.`,
    'Medians over rounds. "% of nginx" and "CPU × nginx" compare with nginx-1w in the same round (1 MiB: nginx-1w with 64k buffers; route change: c64 nginx-1w). "failed" sums all rounds.',
    '',
    renderTable(rows),
    renderNotes(rows, records),
  ].join('\n');
  writeFileSync(join(resDir, 'table.md'), tableMd);
  try {
    cpSync(join(runDir, 'logs'), join(resDir, 'logs'), { recursive: true });
  } catch {
    /* no logs */
  }
  process.stdout.write('\n' + renderTable(rows) + '\n' + renderNotes(rows, records));
  log(`raw: ${rawFile}`);
  log(`table: ${join(resDir, 'table.md')}`);
  if (!o.keep) rmSync(runDir, { recursive: true, force: true });
}

main().catch(async (e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  await stopAllTracked();
  process.exit(1);
});
