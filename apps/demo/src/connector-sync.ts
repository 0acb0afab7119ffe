export interface SyncRun {
  runId: string;
  status: string;
  pages?: number;
  items?: number;
  eventsPublished?: number;
  errors?: unknown[];
}

/** Triggers POST /sync on a connector and polls GET /sync/{runId} until the run has finished. */
export async function syncAndWait(connectorUrl: string, onProgress?: (run: SyncRun) => void, timeoutMs = 120_000): Promise<SyncRun> {
  const started = await fetch(`${connectorUrl}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (started.status !== 202) throw new Error(`POST ${connectorUrl}/sync answered ${started.status}: ${await started.text()}`);
  const { runId } = (await started.json()) as { runId: string };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = (await (await fetch(`${connectorUrl}/sync/${runId}`)).json()) as SyncRun;
    onProgress?.(run);
    if (run.status !== 'running' && run.status !== 'queued') {
      if (run.status !== 'succeeded') throw new Error(`sync ${runId} at ${connectorUrl} ended ${run.status}: ${JSON.stringify(run.errors)}`);
      return run;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`sync ${runId} at ${connectorUrl} did not finish within ${timeoutMs} ms`);
}
