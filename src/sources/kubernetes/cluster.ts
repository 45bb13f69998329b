// Cluster mode wiring: the API source, leader election, the Ingress status writer and Events,
// around the controller that app.ts builds. Order at start:
//   1. every watch lists once (nothing is compiled from a partial view)
//   2. a trial compile names the Secrets annotations reference; they are fetched too
//   3. the caller compiles and publishes the first table (then /healthz turns ready)
//   4. activate(): new Ingresses start waiting for their Services' endpoints, and leader
//      election starts (the leader writes status and Events)

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type client from 'prom-client';
import type { Options } from '../../cli/args.ts';
import { compile, type CompileOptions, type CompileResult } from '../../compile/compile.ts';
import type { Controller } from '../../controller/controller.ts';
import type { Logger } from '../../log/logger.ts';
import type { Store } from '../../store/store.ts';
import { EventRecorder } from '../../status/events.ts';
import { IngressStatusWriter } from '../../status/ingress-status.ts';
import { LeaderElector } from '../../status/leader.ts';
import { ClientNodeApi, loadKubeConfig, type KubeApi } from './api-client.ts';
import { ClusterMetrics } from './metrics.ts';
import { KubernetesSource, type SourceProblem } from './source.ts';

export interface ClusterMode {
  readonly source: KubernetesSource;
  readonly leader: LeaderElector;
  /** Steps 1 and 2 above; retries for as long as it takes. */
  initialSync(): Promise<void>;
  activate(): void;
  /** Controller hook, after every compile. */
  compiled(result: CompileResult): void;
  /** Why the initial sync is not done yet. */
  syncReason(): string;
  problems(): SourceProblem[];
  stop(): Promise<void>;
}

export function holderIdentity(podName: string): string {
  return podName || `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export function createClusterMode(opts: Options, compileOpts: CompileOptions, store: Store, controller: Controller, log: Logger, registry: client.Registry, api?: KubeApi): ClusterMode {
  const identity = holderIdentity(opts.podName);
  const kube = api ?? new ClientNodeApi(loadKubeConfig(opts.kubeconfig), `sluice/${identity}`);
  const metrics = new ClusterMetrics(registry);
  const slog = log.child({ component: 'kubernetes' });
  const source = new KubernetesSource(
    kube,
    store,
    {
      watchNamespace: opts.watchNamespace,
      configMap: opts.configmap,
      defaultSslCertificate: opts.defaultSslCertificate,
      defaultBackendService: opts.defaultBackendService,
      publishService: opts.publishService,
    },
    slog,
    metrics.reflector(),
  );
  const leader = new LeaderElector(kube, { namespace: opts.controllerNamespace, name: opts.electionId, identity }, slog);
  const publishes = opts.publishStatusAddress.length > 0 || opts.publishService !== null;
  const status = opts.updateStatus && publishes ? new IngressStatusWriter(kube, store, { publishService: opts.publishService, publishStatusAddress: opts.publishStatusAddress }, slog, metrics.status()) : null;
  const events = new EventRecorder(kube, store, { reportingController: opts.controllerClass, reportingInstance: identity }, slog, metrics.eventObserver());
  if (opts.updateStatus && !publishes) log.warn({}, 'neither --publish-service nor --publish-status-address is set: Ingress status is not written');

  metrics.leader.set({ name: opts.electionId }, 0);
  leader.onChange((isLeader) => {
    metrics.leader.set({ name: opts.electionId }, isLeader ? 1 : 0);
    status?.setLeader(isLeader);
    events.setLeader(isLeader);
  });
  if (status) source.onIngressEvent((key) => status.onIngressEvent(key));
  // A newly referenced Secret or ConfigMap was looked up: compile again (the result may not change, but it is
  // now "settled" and its problems may be reported).
  source.onReferenceSynced(() => controller.requestCompile());

  let synced = false;
  return {
    source,
    leader,
    async initialSync() {
      log.info({ server: kube.server, namespace: opts.watchNamespace ?? '(all)', identity }, 'cluster mode: listing objects from the API server');
      source.start();
      await source.initialSync();
      const trial = compile(store.snapshot(), compileOpts, 0, Date.now());
      await source.setReferenced(trial);
      synced = true;
    },
    activate() {
      source.activateGate();
      leader.start();
    },
    compiled(result) {
      void source.setReferenced(result);
      status?.onCompiled(result);
      events.onCompiled(result, source.referencesSynced(result));
    },
    syncReason() {
      if (synced) return 'compiling the first route table';
      const waiting = source.waitingFor();
      const problem = source.syncProblem();
      return `initial sync: waiting for ${waiting.join(', ') || 'referenced Secrets'}${problem ? ` (${problem})` : ''}`;
    },
    problems: () => source.problems(),
    async stop() {
      status?.stop();
      events.stop();
      await leader.stop();
      await source.stop();
    },
  };
}
