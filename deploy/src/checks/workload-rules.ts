import { unpinnedReason } from './image-ref';
import { type Container, type K8sObject, type PodSpec, isWorkload, podSpecOf, ref } from './k8s-objects';

/**
 * Invariants every SoulSpot workload must satisfy. Each rule returns human-readable violations
 * ("Deployment/x container y: …"); an empty list means the manifests are fine.
 */
export function checkWorkloads(objects: K8sObject[]): string[] {
  return objects.filter(isWorkload).flatMap((workload) => {
    const pod = podSpecOf(workload);
    if (!pod) return [`${ref(workload)}: has no pod template`];
    const longRunning = workload.kind !== 'Job' && workload.kind !== 'CronJob';
    return [
      ...checkPod(workload, pod, longRunning),
      ...allContainers(pod).flatMap(({ container, init }) => {
        const where = `${ref(workload)} ${init ? 'init container' : 'container'} ${container.name}`;
        return [
          ...checkContainer(container, pod).map((problem) => `${where}: ${problem}`),
          ...(longRunning && !init ? checkServingContainer(container).map((problem) => `${where}: ${problem}`) : []),
        ];
      }),
    ];
  });
}

export function allContainers(pod: PodSpec): Array<{ container: Container; init: boolean }> {
  return [
    ...(pod.initContainers ?? []).map((container) => ({ container, init: true })),
    ...(pod.containers ?? []).map((container) => ({ container, init: false })),
  ];
}

function checkPod(workload: K8sObject, pod: PodSpec, longRunning: boolean): string[] {
  const problems: string[] = [];
  if (longRunning && pod.terminationGracePeriodSeconds === undefined) {
    problems.push(`${ref(workload)}: terminationGracePeriodSeconds is not set`);
  }
  return problems;
}

/** Rules for every container, including init containers and Job containers. */
export function checkContainer(container: Container, pod: PodSpec): string[] {
  const problems: string[] = [];
  const unpinned = unpinnedReason(container.image);
  if (unpinned) problems.push(unpinned);
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[kind]?.[resource] === undefined) problems.push(`no ${resource} ${kind}`);
    }
  }
  const security = container.securityContext ?? {};
  const runAsNonRoot = security.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  if (runAsNonRoot !== true) problems.push('runAsNonRoot is not true');
  const uid = security.runAsUser ?? pod.securityContext?.runAsUser;
  if (uid === 0) problems.push('runs as uid 0');
  if (security.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  if (security.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem is not true');
  if (security.privileged === true) problems.push('is privileged');
  return problems;
}

/** Rules for the main containers of long-running workloads (Deployments, StatefulSets). */
export function checkServingContainer(container: Container): string[] {
  const problems: string[] = [];
  if (!container.readinessProbe) problems.push('has no readinessProbe');
  if (!container.livenessProbe) problems.push('has no livenessProbe');
  const preStop = container.lifecycle?.preStop;
  if (!preStop || (!preStop.exec && !preStop.httpGet && !preStop.sleep)) problems.push('has no preStop hook');
  return problems;
}
