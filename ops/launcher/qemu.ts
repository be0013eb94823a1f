import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import { createImage, findImage, storeImageData } from '../../api-cell/images/index.js';
import { isGuestProcess, killGroup, readPid } from '../../child-cell/virt/qemu/index.js';
import { NotFoundError } from '../runtime/index.js';
import type { Layout } from './layout.js';

// `deploy up --qemu-hosts N`: a pool of N QEMU hosts in cell1 beside the fake ones (docs/real-guests.md).

/** The test guest's image id, the same in every deployment so that bring-up registers it once. */
export const GUEST_IMAGE_UUID = 'c5e11ab0-9e57-4a6e-8b00-000000000001';

/** Configuration the QEMU pool needs: where guests live, where images come from, room for a real image. */
export function qemuConfig(layout: Layout): Record<string, Record<string, unknown>> {
  if (!layout.options.qemuHosts) return {};
  return {
    api: { max_image_bytes: 12 * 1024 * 1024 },
    qemu: { state_dir: qemuStateDir(layout), image_url: `${layout.apiUrl}/image` },
  };
}

const qemuStateDir = (layout: Layout): string => resolve(layout.options.stateDir, 'qemu');

/** Registers the project's guest image (ops/bin/guest-image builds it once per machine), unless it is there. */
export async function registerGuestImage(db: ApiDatabase, root: string, say: (line: string) => void): Promise<void> {
  const found = await findImage(db, GUEST_IMAGE_UUID).catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
  if (found?.status === 'active') return;
  const path = execFileSync(join(root, 'ops/bin/guest-image'), { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  const data = readFileSync(path);
  if (!found) await createImage(db, { uuid: GUEST_IMAGE_UUID, name: 'cellstack-guest', visibility: 'public', disk_format: 'qcow2', container_format: 'bare', status: 'queued' });
  await storeImageData(db, GUEST_IMAGE_UUID, data);
  say(`registered image cellstack-guest (${GUEST_IMAGE_UUID}, ${data.length} bytes) for the QEMU hosts`);
}

/** `deploy down`: guests outlive their pool on purpose, so their QEMU processes are ended here. */
export function endGuests(layout: Layout): number {
  const hosts = join(qemuStateDir(layout), 'hosts');
  if (!existsSync(hosts)) return 0;
  let ended = 0;
  for (const host of readdirSync(hosts)) {
    for (const guest of readdirSync(join(hosts, host))) {
      const pid = readPid(join(hosts, host, guest, 'qemu.pid'));
      if (pid === null || !isGuestProcess(pid, guest)) continue;
      killGroup(pid);
      ended += 1;
    }
  }
  return ended;
}
