// Shared by the client-node tests: typed clients wired to a fake server through its
// kubeconfig, and a way to read the Status out of a client-node ApiException.

import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  EventsV1Api,
  KubeConfig,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import type { FakeApiServer } from './server.ts';
import type { Status } from './status.ts';

export function clientsFor(api: FakeApiServer, opts: { token?: string } = {}) {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig(opts));
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
    disc: kc.makeApiClient(DiscoveryV1Api),
    coord: kc.makeApiClient(CoordinationV1Api),
    events: kc.makeApiClient(EventsV1Api),
  };
}

/** Awaits a rejected client call; returns the HTTP code and the parsed Status body (if any). */
export async function rejection(p: Promise<unknown>): Promise<{ code: number; status?: Status }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      // client-node hands the Status over as the raw response text (or nothing, for 401).
      const body = e.body as unknown;
      return { code: e.code, status: typeof body === 'string' && body !== '' ? (JSON.parse(body) as Status) : undefined };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}
