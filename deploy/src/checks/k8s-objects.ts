/**
 * Minimal, structural view of rendered Kubernetes objects: only the fields the manifest checks read.
 * Rendered YAML is untyped input, so every accessor tolerates missing fields instead of trusting a shape.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface Probe {
  httpGet?: { path?: string; port: number | string };
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; httpGet?: unknown; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
  };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  restartPolicy?: string;
}

/** Kinds whose pods run our images. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

export function isWorkload(object: K8sObject): boolean {
  return WORKLOAD_KINDS.has(object.kind) || object.kind === 'CronJob' || object.kind === 'Pod';
}

/** The pod spec of a workload (CronJob: its job template's), or undefined for other kinds. */
export function podSpecOf(object: K8sObject): PodSpec | undefined {
  const spec = object.spec as any;
  if (object.kind === 'Pod') return spec as PodSpec;
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec as PodSpec | undefined;
  if (WORKLOAD_KINDS.has(object.kind)) return spec?.template?.spec as PodSpec | undefined;
  return undefined;
}

export function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** "Deployment/spotify-connector" — how violations name an object. */
export function ref(object: K8sObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
