// default-backend / custom-http-errors / disable-proxy-intercept-errors. The annotation's status
// list replaces the ConfigMap's for the Ingress's paths (nginx error_page inheritance).

import { backendKey } from '../../backends.ts';
import { refOf } from '../../../model/k8s.ts';
import { bool, statusList } from '../../values.ts';
import type { AnnotationFamily } from '../family.ts';

/** Kubernetes Service names are DNS-1035 labels (ingress-nginx ValidateServiceName). */
const DNS1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const errorsFamily: AnnotationFamily = {
  name: 'errors',
  apply(r, p, _server, ing, ctx) {
    const codes = r.parse('custom-http-errors', statusList(400, 599));
    if (codes !== undefined) p.errors.codes = codes;
    const disable = r.parse('disable-proxy-intercept-errors', bool());
    if (disable === true) p.errors.codes = [];

    const db = r.raw('default-backend');
    if (db === undefined || db.trim() === '') return;
    const name = db.trim();
    if (!DNS1035.test(name)) {
      r.error('default-backend', db, 'expected the name of a Service in the Ingress namespace (a DNS-1035 label)');
      return;
    }
    const ns = ing.metadata.namespace!;
    const field = `metadata.annotations["${r.prefix}default-backend"]`;
    const svc = ctx.snap.services.get(`${ns}/${name}`);
    const first = svc?.spec.ports?.[0];
    if (!svc) {
      ctx.diags.add(refOf(ing), 'warning', 'ServiceNotFound', field, `Service ${ns}/${name} not found; the default-backend annotation has no effect until it exists`);
      return;
    }
    if (!first) {
      ctx.diags.add(refOf(ing), 'warning', 'PortNotFound', field, `Service ${ns}/${name} has no ports; the default-backend annotation is ignored`);
      return;
    }
    // ingress-nginx uses the Service's first port.
    p.errors.backend = backendKey(ns, name, String(first.port));
  },
};
