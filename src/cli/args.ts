// Command-line flags. Names follow ingress-nginx where it has the same flag. Both `--flag value`
// and `--flag=value` work; booleans take `--flag`, `--flag=true` or `--flag=false`. A bad flag
// or value ends the program with a one-line message naming the flag and exit code 2.

import { availableParallelism } from 'node:os';
import { LOG_LEVELS, type LogLevel } from '../log/logger.ts';

export interface Options {
  manifests: string[];
  kubeconfig: string | null;
  watchNamespace: string | null;
  httpPort: number;
  httpsPort: number;
  adminPort: number;
  bindAddress: string;
  ingressClass: string;
  controllerClass: string;
  watchIngressWithoutClass: boolean;
  defaultBackendService: string | null;
  configmap: string | null;
  defaultSslCertificate: string | null;
  annotationsPrefix: string;
  allowCrossNamespaceSecrets: boolean;
  publishService: string | null;
  publishStatusAddress: string[];
  updateStatus: boolean;
  electionId: string;
  controllerNamespace: string;
  podName: string;
  shutdownGracePeriod: number;
  workers: number;
  enableH2c: boolean;
  logLevel: LogLevel;
  debounceMs: number;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

type Kind = 'string' | 'int' | 'bool' | 'list' | 'ref' | 'duration';

interface FlagSpec {
  key: keyof Options;
  kind: Kind;
  help: string;
  arg?: string;
  min?: number;
  max?: number;
}

export const FLAGS: Record<string, FlagSpec> = {
  manifests: { key: 'manifests', kind: 'list', arg: 'PATH', help: 'Read objects from YAML/JSON files instead of the Kubernetes API (file or directory; repeatable). Changes are picked up live.' },
  kubeconfig: { key: 'kubeconfig', kind: 'string', arg: 'FILE', help: 'Kubeconfig file (default: in-cluster service account, else $KUBECONFIG, else ~/.kube/config).' },
  'watch-namespace': { key: 'watchNamespace', kind: 'string', arg: 'NS', help: 'Watch only this namespace (default: all).' },
  'http-port': { key: 'httpPort', kind: 'int', min: 0, max: 65535, arg: 'PORT', help: 'HTTP listener port (default 80).' },
  'https-port': { key: 'httpsPort', kind: 'int', min: 0, max: 65535, arg: 'PORT', help: 'HTTPS listener port (default 443).' },
  'admin-port': { key: 'adminPort', kind: 'int', min: 0, max: 65535, arg: 'PORT', help: 'Admin server port: /healthz, /metrics, /debug (default 10254).' },
  'bind-address': { key: 'bindAddress', kind: 'string', arg: 'ADDR', help: 'Address the traffic listeners bind to (default 0.0.0.0; "::" for dual stack).' },
  'ingress-class': { key: 'ingressClass', kind: 'string', arg: 'NAME', help: 'IngressClass name this controller serves (default sluice).' },
  'controller-class': { key: 'controllerClass', kind: 'string', arg: 'NAME', help: 'spec.controller value of the IngressClasses served (default sluice.dev/ingress-controller).' },
  'watch-ingress-without-class': { key: 'watchIngressWithoutClass', kind: 'bool', help: 'Also serve Ingresses that name no class.' },
  'default-backend-service': { key: 'defaultBackendService', kind: 'ref', arg: 'NS/NAME', help: 'Service that answers requests no rule matches (default: built-in 404).' },
  configmap: { key: 'configmap', kind: 'ref', arg: 'NS/NAME', help: 'ConfigMap of global options, ingress-nginx key names.' },
  'default-ssl-certificate': { key: 'defaultSslCertificate', kind: 'ref', arg: 'NS/NAME', help: 'TLS Secret served when no other certificate matches (default: self-signed, generated at start).' },
  'annotations-prefix': { key: 'annotationsPrefix', kind: 'string', arg: 'PREFIX', help: 'Annotation prefix (default nginx.ingress.kubernetes.io).' },
  'allow-cross-namespace-secrets': { key: 'allowCrossNamespaceSecrets', kind: 'bool', help: 'Let annotations reference Secrets in other namespaces (auth-secret: ns/name). Off by default.' },
  'publish-service': { key: 'publishService', kind: 'ref', arg: 'NS/NAME', help: 'Service whose address is written to Ingress status.' },
  'publish-status-address': { key: 'publishStatusAddress', kind: 'list', arg: 'ADDRS', help: 'Comma-separated IPs/hostnames written to Ingress status (overrides --publish-service).' },
  'update-status': { key: 'updateStatus', kind: 'bool', help: 'Write status.loadBalancer of served Ingresses (default true).' },
  'election-id': { key: 'electionId', kind: 'string', arg: 'NAME', help: 'Lease name for leader election (default sluice-leader).' },
  'controller-namespace': { key: 'controllerNamespace', kind: 'string', arg: 'NS', help: 'Namespace of the controller (default $POD_NAMESPACE or "default").' },
  'shutdown-grace-period': { key: 'shutdownGracePeriod', kind: 'duration', arg: 'SECONDS', help: 'Time in-flight requests get to finish after SIGTERM (default 30).' },
  workers: { key: 'workers', kind: 'int', min: 1, max: 256, arg: 'N', help: 'Data-plane worker processes (default: number of CPUs; 1 = single process).' },
  'enable-h2c': { key: 'enableH2c', kind: 'bool', help: 'Accept HTTP/2 with prior knowledge (h2c) on the HTTP port.' },
  'log-level': { key: 'logLevel', kind: 'string', arg: 'LEVEL', help: `Log level: ${LOG_LEVELS.join(', ')} (default info).` },
  'debounce-ms': { key: 'debounceMs', kind: 'int', min: 0, max: 1000, arg: 'MS', help: 'Delay that coalesces configuration changes before a recompile (default 100, at most 1000).' },
  help: { key: 'help', kind: 'bool', help: 'Show this help.' },
  version: { key: 'version', kind: 'bool', help: 'Print the version.' },
};

export function defaults(env: NodeJS.ProcessEnv = process.env): Options {
  return {
    manifests: [],
    kubeconfig: null,
    watchNamespace: null,
    httpPort: 80,
    httpsPort: 443,
    adminPort: 10254,
    bindAddress: '0.0.0.0',
    ingressClass: 'sluice',
    controllerClass: 'sluice.dev/ingress-controller',
    watchIngressWithoutClass: false,
    defaultBackendService: null,
    configmap: null,
    defaultSslCertificate: null,
    annotationsPrefix: 'nginx.ingress.kubernetes.io',
    allowCrossNamespaceSecrets: false,
    publishService: null,
    publishStatusAddress: [],
    updateStatus: true,
    electionId: 'sluice-leader',
    controllerNamespace: env.POD_NAMESPACE ?? 'default',
    podName: env.POD_NAME ?? '',
    shutdownGracePeriod: 30,
    workers: availableParallelism(),
    enableH2c: false,
    logLevel: 'info',
    debounceMs: 100,
    help: false,
    version: false,
  };
}

const REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function convert(flag: string, spec: FlagSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'string':
      if (raw === '') throw new UsageError(`--${flag}: needs a value`);
      if (spec.key === 'logLevel' && !(LOG_LEVELS as readonly string[]).includes(raw)) {
        throw new UsageError(`--${flag}: "${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
      }
      return raw;
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag}: "${raw}" is not a whole number`);
      const n = Number(raw);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new UsageError(`--${flag}: ${n} is outside ${spec.min}-${spec.max}`);
      }
      return n;
    }
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)(s|ms|m)?$/.exec(raw);
      if (!m) throw new UsageError(`--${flag}: "${raw}" is not a duration (seconds, or with s/ms/m)`);
      const v = Number(m[1]);
      return m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : v;
    }
    case 'bool':
      if (raw === 'true' || raw === '') return true;
      if (raw === 'false') return false;
      throw new UsageError(`--${flag}: "${raw}" is not true or false`);
    case 'ref':
      if (!REF.test(raw)) throw new UsageError(`--${flag}: "${raw}" is not NAMESPACE/NAME`);
      return raw;
    case 'list':
      if (raw === '') throw new UsageError(`--${flag}: needs a value`);
      return raw;
  }
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Options {
  const opts = defaults(env) as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (flags start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = FLAGS[name];
    if (!spec) throw new UsageError(`--${name}: unknown flag (see --help)`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.kind === 'bool') raw = '';
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name}: needs a value`);
      raw = next;
      i++;
    }
    const value = convert(name, spec, raw);
    if (spec.key === 'manifests') (opts.manifests as string[]).push(value as string);
    else if (spec.key === 'publishStatusAddress') {
      opts.publishStatusAddress = (value as string).split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else opts[spec.key] = value;
  }
  return opts as unknown as Options;
}

export function usage(version: string): string {
  const lines = [`sluice ${version} — Kubernetes Ingress controller`, '', 'Usage: sluice [--manifests PATH]... [flags]', '', 'Flags:'];
  for (const [name, spec] of Object.entries(FLAGS)) {
    const left = `  --${name}${spec.arg ? ` ${spec.arg}` : ''}`;
    lines.push(left.padEnd(40) + spec.help);
  }
  lines.push('', 'Without --manifests, sluice watches the Kubernetes API.', 'Docs: README.md, docs/.');
  return lines.join('\n');
}
