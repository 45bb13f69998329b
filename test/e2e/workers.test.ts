// End to end: --workers 2. The primary compiles and ships tables; both workers serve traffic on
// the same port (SO_REUSEPORT); a killed worker is replaced and gets the current table; metrics
// aggregate across workers; SIGTERM drains and exits 0.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    v = await fn();
  }
  return v;
}

describe('multi-process workers', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let a: Backend;
  let b: Backend;

  before(async () => {
    a = await startBackend('a');
    b = await startBackend('b');
    dir = new ManifestDir();
    dir.write('backends.yaml', [...backendObjects('w', 'a', [a.port]), ...backendObjects('w', 'b', [b.port])]);
    dir.write('ingress.yaml', [ingress('w', 'app', [{ host: 'w.test', paths: [{ path: '/', service: 'a' }] }])]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--workers', '2'] });
  });
  after(async () => {
    await sluice?.stop();
    await a?.close();
    await b?.close();
    dir?.cleanup();
  });

  const who = async (): Promise<string | number> => {
    const r = await request(sluice.httpPort, '/', { host: 'w.test' });
    return r.status === 200 ? (r.json().backend as string) : r.status;
  };

  test('both workers serve the shared port', async () => {
    assert.equal(childPids(sluice.proc.pid!).length, 2);
    const workers = new Set<unknown>();
    for (let i = 0; i < 60 && workers.size < 2; i++) {
      const from = sluice.logs.length;
      assert.equal(await who(), 'a');
      const rec = await sluice.waitForLog((r) => r.type === 'access', 2000, from);
      workers.add(rec.worker);
    }
    assert.equal(workers.size, 2, 'requests on new connections reached both workers');
  });

  test('table changes reach every worker', async () => {
    dir.write('ingress.yaml', [ingress('w', 'app', [{ host: 'w.test', paths: [{ path: '/', service: 'b' }] }])]);
    await until(who, (v) => v === 'b');
    // Every new connection (either worker) now answers from b.
    for (let i = 0; i < 20; i++) assert.equal(await who(), 'b');
  });

  test('a killed worker is replaced and runs the current table', async () => {
    const before = childPids(sluice.proc.pid!);
    process.kill(before[0]!, 'SIGKILL');
    // Connections queued on the dead worker's socket are reset by the kernel (as with any crashed
    // process); after that, traffic flows on the surviving worker.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) assert.equal(await who(), 'b');
    const replaced = await until(
      async () => childPids(sluice.proc.pid!),
      (p) => p.length === 2 && !p.includes(before[0]!),
    );
    assert.equal(replaced.length, 2);
    await sluice.waitForLog((r) => r.msg === 'worker died; starting a new one with the current table');
    // Ready again once the replacement listens with the current table.
    assert.equal((await until(() => sluice.admin('/healthz'), (h) => h.status === 200, 10_000)).status, 200);
    // Both workers (including the new one) answer from the current table.
    const seen = new Set<unknown>();
    for (let i = 0; i < 100 && seen.size < 2; i++) {
      const from = sluice.logs.length;
      assert.equal(await who(), 'b');
      seen.add((await sluice.waitForLog((r) => r.type === 'access', 2000, from)).worker);
    }
    assert.ok(seen.size >= 2, `workers seen: ${[...seen].join(',')}`);
  });

  test('metrics from all workers are aggregated by the primary', async () => {
    const count = async (): Promise<{ n: number; body: string }> => {
      const body = (await sluice.admin('/metrics')).body;
      const line = body.split('\n').find((l) => l.startsWith('nginx_ingress_controller_requests{') && l.includes('service="b"') && l.includes('status="200"'));
      return { n: line ? Number(line.split(' ').at(-1)) : 0, body };
    };
    const before = await count();
    // New connections land on both workers; the sum counts every request.
    for (let i = 0; i < 30; i++) assert.equal(await who(), 'b');
    const after = await count();
    assert.equal(after.n - before.n, 30);
    assert.match(after.body, /nginx_ingress_controller_config_hash/);
  });

  test('explain works in the primary', async () => {
    const e = JSON.parse((await sluice.admin('/debug/explain?host=w.test&path=/x')).body) as { service: { name: string } };
    assert.equal(e.service.name, 'b');
  });

  test('SIGTERM drains the workers and exits 0', async () => {
    const pids = childPids(sluice.proc.pid!);
    assert.equal(await sluice.stop('SIGTERM'), 0);
    for (const p of pids) assert.throws(() => process.kill(p, 0), 'worker exited');
  });
});
