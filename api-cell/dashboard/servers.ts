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

type ApiServer = Record<string, unknown> & { id: string; name?: string; status: string };

export function serverView(s: ApiServer): ServerView {
  const flavor = (s['flavor'] ?? {}) as { original_name?: string; id?: string };
  const image = (s['image'] ?? {}) as { id?: string };
  const addresses = Object.entries((s['addresses'] ?? {}) as Record<string, { addr: string }[]>)
    .map(([net, ips]) => `${net}: ${ips.map((i) => i.addr).join(', ')}`)
    .join('; ');
  const fault = (s['fault'] as { message?: string } | undefined)?.message;
  return {
    id: s.id,
    // A server of a cell that does not answer comes as a partial record (2.69): no name, status UNKNOWN.
    name: typeof s.name === 'string' ? s.name : s.id,
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

/** What a button needs besides itself: a flavor to resize to, a name for the snapshot. */
export type ActionInput = 'flavor' | 'name';

export interface ServerAction {
  label: string;
  /** The body of POST /servers/{id}/action; none: the action is DELETE /servers/{id}. */
  body?: (form: Record<string, string>) => Record<string, unknown>;
  input?: ActionInput;
  /** Statuses the button shows in (the API refuses the others with 409 anyway). */
  when: string[];
}

const fixed = (body: Record<string, unknown>) => () => body;

/** The actions the Compute API offers a server's owner, each as one form on the server's page. */
export const serverActions: Record<string, ServerAction> = {
  stop: { label: 'Stop', body: fixed({ 'os-stop': null }), when: ['ACTIVE', 'ERROR', 'RESCUE'] },
  start: { label: 'Start', body: fixed({ 'os-start': null }), when: ['SHUTOFF'] },
  reboot: { label: 'Reboot', body: fixed({ reboot: { type: 'SOFT' } }), when: ['ACTIVE'] },
  'hard-reboot': { label: 'Hard reboot', body: fixed({ reboot: { type: 'HARD' } }), when: ['ACTIVE', 'SHUTOFF', 'ERROR'] },
  resize: { label: 'Resize', input: 'flavor', body: (f) => ({ resize: { flavorRef: f['flavor'] ?? '' } }), when: ['ACTIVE', 'SHUTOFF'] },
  'confirm-resize': { label: 'Confirm resize', body: fixed({ confirmResize: null }), when: ['VERIFY_RESIZE'] },
  'revert-resize': { label: 'Revert resize', body: fixed({ revertResize: null }), when: ['VERIFY_RESIZE'] },
  snapshot: { label: 'Snapshot', input: 'name', body: (f) => ({ createImage: { name: f['name'] ?? '' } }), when: ['ACTIVE', 'SHUTOFF'] },
  shelve: { label: 'Shelve', body: fixed({ shelve: null }), when: ['ACTIVE', 'SHUTOFF'] },
  unshelve: { label: 'Unshelve', body: fixed({ unshelve: null }), when: ['SHELVED', 'SHELVED_OFFLOADED'] },
  rescue: { label: 'Rescue', body: fixed({ rescue: {} }), when: ['ACTIVE', 'SHUTOFF'] },
  unrescue: { label: 'Unrescue', body: fixed({ unrescue: null }), when: ['RESCUE'] },
  delete: { label: 'Delete', when: ['ACTIVE', 'SHUTOFF', 'ERROR', 'BUILD', 'UNKNOWN', 'VERIFY_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'RESCUE'] },
};
