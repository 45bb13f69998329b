// A kubeconfig for the fake: server URL, the CA that signed its certificate, a bearer token.
// Loaded with KubeConfig.loadFromString() or written to a file for KUBECONFIG.

import { stringify } from 'yaml';

export interface KubeconfigParams {
  server: string;
  caCert: string;
  token: string;
  namespace?: string;
}

export const CONTEXT_NAME = 'fake';

export function renderKubeconfig(p: KubeconfigParams): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake-cluster', cluster: { server: p.server, 'certificate-authority-data': Buffer.from(p.caCert).toString('base64') } }],
    users: [{ name: 'fake-user', user: { token: p.token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: 'fake-cluster', user: 'fake-user', namespace: p.namespace ?? 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}
