// backend-protocol: how sluice talks to the pods (HTTP/1.1, HTTPS, gRPC over h2c or TLS).

import type { AnnotationFamily } from '../family.ts';

const SUPPORTED = new Set(['HTTP', 'HTTPS', 'GRPC', 'GRPCS']);

export const backendProtocolFamily: AnnotationFamily = {
  name: 'backend-protocol',
  apply(r, p) {
    const v = r.raw('backend-protocol');
    if (v === undefined) return;
    const up = v.trim().toUpperCase();
    if (up === 'AUTO_HTTP') {
      p.protocol = 'HTTP';
      return;
    }
    if (!SUPPORTED.has(up)) {
      r.error('backend-protocol', v, up === 'FCGI' ? 'FCGI (FastCGI) backends are not supported by sluice; expected HTTP, HTTPS, GRPC or GRPCS' : 'expected HTTP, HTTPS, GRPC, GRPCS or AUTO_HTTP');
      return;
    }
    p.protocol = up as 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS';
  },
};
