import { setTimeout as delay } from 'node:timers/promises';
import type { ComputeApi } from '../loadtest/client.js';
import { leftovers, type CheckDatabases } from './checks.js';

/** Remote consoles asked for on some ACTIVE servers, so there are console tokens for the delete to clean up. */
export async function openConsoles(api: ComputeApi, servers: ReadonlyMap<string, string>, count: number): Promise<{ asked: number; opened: number }> {
  const active = [...servers].filter(([, status]) => status === 'ACTIVE').map(([id]) => id).slice(0, count);
  const answers = await Promise.all(
    active.map((id) => api.call('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } })),
  );
  return { asked: active.length, opened: answers.filter((a) => a.status === 200).length };
}

export interface CleanupOutcome {
  /** DELETEs sent in all (retries included). */
  deletes: number;
  /** Seconds from the first DELETE to nothing left (or to the deadline). */
  seconds: number;
  left: Record<string, number>;
  clean: boolean;
}

/**
 * Deletes every server the project has through the API (each DELETE sent again until it is
 * accepted or the server is gone), then waits until nothing of them is left or the deadline passes.
 */
export async function deleteEverything(api: ComputeApi, dbs: CheckDatabases, projectId: string, deadlineSeconds: number): Promise<CleanupOutcome> {
  const started = Date.now();
  const deadline = started + deadlineSeconds * 1000;
  let deletes = 0;
  const gone = new Set<string>();
  while (Date.now() < deadline) {
    const listed = await serverIds(api);
    if (listed === undefined) {
      await delay(1000);
      continue;
    }
    const ids = listed.filter((id) => !gone.has(id));
    if (ids.length === 0) break;
    for (let i = 0; i < ids.length; i += 16) {
      await Promise.all(
        ids.slice(i, i + 16).map(async (id) => {
          deletes += 1;
          const res = await api.call('DELETE', `/servers/${id}`);
          if (res.status === 204 || res.status === 404) gone.add(id);
        }),
      );
    }
    if (ids.every((id) => gone.has(id))) break;
    await delay(1000);
  }
  let left = await leftovers(dbs, projectId);
  while (!isClean(left) && Date.now() < deadline) {
    await delay(1000);
    left = await leftovers(dbs, projectId);
  }
  return { deletes, seconds: (Date.now() - started) / 1000, left, clean: isClean(left) };
}

const isClean = (left: Record<string, number>): boolean => Object.values(left).every((n) => n === 0);

/** Every server id the project has; none when the API did not answer the list. */
async function serverIds(api: ComputeApi): Promise<string[] | undefined> {
  const ids: string[] = [];
  let marker = '';
  for (;;) {
    const res = await api.call<{ servers?: { id: string }[] }>('GET', `/servers?limit=1000${marker ? `&marker=${marker}` : ''}`);
    if (res.status !== 200) return undefined;
    const page = res.body?.servers ?? [];
    ids.push(...page.map((s) => s.id));
    const last = page[page.length - 1];
    if (page.length < 1000 || !last) return ids;
    marker = last.id;
  }
}
