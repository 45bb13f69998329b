import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from './controller.ts';
import { Store } from '../store/store.ts';
import type { KubeObject } from '../model/k8s.ts';
import type { Logger } from '../log/logger.ts';
import { compileOptions } from '../app.ts';
import { parseArgs } from '../cli/args.ts';

const log = { info() {}, warn() {}, error() {}, debug() {}, child: () => log } as unknown as Logger;

function svc(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'app' }, spec: { ports: [{ name: 'http', port: 80 }] } } as unknown as KubeObject;
}

function setup(): { store: Store; controller: Controller; installs: number[] } {
  const store = new Store();
  const controller = new Controller(store, { compile: compileOptions(parseArgs(['--manifests', '.'])), debounceMs: 100, maxDelayMs: 1000 }, log);
  const installs: number[] = [];
  controller.addSink({ install: (t) => installs.push(t.generation), updateEndpoints: () => {} });
  controller.compileNow();
  return { store, controller, installs };
}

test('an isolated change compiles at once (leading edge); a burst right after it is coalesced by the debounce', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { store, controller } = setup();
  t.mock.timers.tick(500); // quiet period
  const before = controller.compiles;
  store.upsert(svc('a'));
  store.upsert(svc('b')); // same turn: rides along with the leading compile
  t.mock.timers.tick(0);
  assert.equal(controller.compiles, before + 1, 'leading compile on the next turn');
  assert.ok(controller.result!.diagnostics !== undefined);
  // A burst within the debounce interval: one compile, 100 ms after the last change.
  for (let i = 0; i < 5; i++) {
    t.mock.timers.tick(20);
    store.upsert(svc(`burst-${i}`));
  }
  t.mock.timers.tick(99);
  assert.equal(controller.compiles, before + 1, 'still coalescing');
  t.mock.timers.tick(1);
  assert.equal(controller.compiles, before + 2, 'one trailing compile for the burst');
});

test('a steady stream of changes still compiles within maxDelayMs of the first', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 2_000_000 });
  const { store, controller } = setup();
  t.mock.timers.tick(0);
  const before = controller.compiles;
  // Within the interval after the setup compile: no leading edge, debounced.
  for (let i = 0; i < 30; i++) {
    store.upsert(svc(`s-${i}`));
    t.mock.timers.tick(50);
  }
  // 1,500 ms of changes every 50 ms: compiles were forced by the 1 s bound, not postponed forever.
  assert.ok(controller.compiles >= before + 1, `compiles: ${controller.compiles - before}`);
  assert.ok(controller.compiles <= before + 3);
});
