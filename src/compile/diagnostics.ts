// Problems found while compiling, as data: which object, which field, a closed reason code and a
// message a person can act on. They feed the admin API, the log (once per distinct problem) and,
// in cluster mode, Kubernetes Events.

import { formatRef, type ObjectRef } from '../model/k8s.ts';

export type Reason =
  | 'InvalidObject'
  | 'InvalidHost'
  | 'InvalidPath'
  | 'InvalidBackend'
  | 'UnsupportedBackend'
  | 'ServiceNotFound'
  | 'PortNotFound'
  | 'NoEndpoints'
  | 'PathConflict'
  | 'InvalidAnnotation'
  | 'IgnoredAnnotation'
  | 'UnsupportedAnnotation'
  | 'SnippetIgnored'
  | 'SecretNotFound'
  | 'SecretInvalid'
  | 'SecretForbidden'
  | 'CertificateExpired'
  | 'InvalidConfig'
  | 'IgnoredConfig'
  | 'IgnoredParameters'
  | 'ClassConflict';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  object: ObjectRef;
  severity: Severity;
  reason: Reason;
  /** JSON-path-like location in the object, e.g. spec.rules[0].http.paths[1].path. */
  field: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${formatRef(d.object)}: ${d.field ? `${d.field}: ` : ''}${d.message} (${d.reason})`;
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  add(object: ObjectRef, severity: Severity, reason: Reason, field: string, message: string): void {
    this.list.push({ object, severity, reason, field, message });
  }

  error(object: ObjectRef, reason: Reason, field: string, message: string): void {
    this.add(object, 'error', reason, field, message);
  }

  warn(object: ObjectRef, reason: Reason, field: string, message: string): void {
    this.add(object, 'warning', reason, field, message);
  }
}
