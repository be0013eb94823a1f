/** The project's servers as the Compute API shows them to the signed-in user. */

export interface ServerView {
  id: string;
  name: string;
  status: string;
  task: string | null;
  power: number;
  flavor: string;
  image: string;
  addresses: string;
  created: string;
  fault?: string;
}

type ApiServer = Record<string, unknown> & { id: string; name: string; status: string };

export function serverView(s: ApiServer): ServerView {
  const flavor = (s['flavor'] ?? {}) as { original_name?: string; id?: string };
  const image = (s['image'] ?? {}) as { id?: string };
  const addresses = Object.entries((s['addresses'] ?? {}) as Record<string, { addr: string }[]>)
    .map(([net, ips]) => `${net}: ${ips.map((i) => i.addr).join(', ')}`)
    .join('; ');
  const fault = (s['fault'] as { message?: string } | undefined)?.message;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    task: (s['OS-EXT-STS:task_state'] as string | null | undefined) ?? null,
    power: Number(s['OS-EXT-STS:power_state'] ?? 0),
    flavor: flavor.original_name ?? flavor.id ?? '',
    image: image.id ?? '',
    addresses,
    created: typeof s['created'] === 'string' ? s['created'] : '',
    ...(fault ? { fault } : {}),
  };
}

/** What each action button asks the Compute API (POST /servers/{id}/action, or DELETE). */
export const serverActions: Record<string, { label: string; body?: Record<string, unknown>; when: string[] }> = {
  stop: { label: 'Stop', body: { 'os-stop': null }, when: ['ACTIVE', 'ERROR'] },
  start: { label: 'Start', body: { 'os-start': null }, when: ['SHUTOFF'] },
  reboot: { label: 'Reboot', body: { reboot: { type: 'SOFT' } }, when: ['ACTIVE'] },
  'hard-reboot': { label: 'Hard reboot', body: { reboot: { type: 'HARD' } }, when: ['ACTIVE', 'SHUTOFF', 'ERROR'] },
  delete: { label: 'Delete', when: ['ACTIVE', 'SHUTOFF', 'ERROR', 'BUILD', 'UNKNOWN'] },
};
