import { randomUUID } from 'node:crypto';
import { execute, inList, placeholders, select, type Runner } from '../../ops/runtime-db/index.js';

/** One of a server's volumes, as Nova's block device mapping says it. */
export interface BlockDevice {
  uuid: string;
  instance_uuid: string;
  project_id: string;
  source_type: string;
  destination_type: string;
  volume_id: string | null;
  attachment_id: string | null;
  boot_index: number | null;
  device_name: string | null;
  delete_on_termination: boolean;
  volume_size: number | null;
  tag: string | null;
}

type Row = Omit<BlockDevice, 'delete_on_termination'> & { delete_on_termination: number };
const COLUMNS = 'uuid, instance_uuid, project_id, source_type, destination_type, volume_id, attachment_id, boot_index, device_name, delete_on_termination, volume_size, tag';
const toDevice = (row: Row): BlockDevice => ({ ...row, delete_on_termination: Boolean(row.delete_on_termination) });

export type NewBlockDevice = Omit<BlockDevice, 'uuid'>;

/** Writes a server's devices in one statement and answers them with their uuids. */
export async function insertBlockDevices(run: Runner, devices: NewBlockDevice[]): Promise<BlockDevice[]> {
  if (devices.length === 0) return [];
  const made = devices.map((d) => ({ ...d, uuid: randomUUID() }));
  await execute(
    run,
    `INSERT INTO block_device_mappings (${COLUMNS}) VALUES ${placeholders(made.length, 12)}`,
    made.flatMap((d) => [d.uuid, d.instance_uuid, d.project_id, d.source_type, d.destination_type, d.volume_id, d.attachment_id, d.boot_index, d.device_name, d.delete_on_termination, d.volume_size, d.tag]),
  );
  return made;
}

/** The live devices of these servers, one query, in boot order then attach order. */
export async function devicesOf(run: Runner, instanceUuids: string[]): Promise<BlockDevice[]> {
  if (instanceUuids.length === 0) return [];
  const sql = `SELECT ${COLUMNS} FROM block_device_mappings WHERE instance_uuid IN (${inList(instanceUuids.length)}) AND deleted = 0 ORDER BY boot_index IS NULL, boot_index, id`;
  return (await select<Row>(run, sql, instanceUuids)).map(toDevice);
}

export async function setDeviceVolume(run: Runner, uuid: string, volumeId: string, attachmentId: string): Promise<void> {
  await execute(run, 'UPDATE block_device_mappings SET volume_id = ?, attachment_id = ?, updated_at = NOW(6) WHERE uuid = ? AND deleted = 0', [volumeId, attachmentId, uuid]);
}

export async function removeDevice(run: Runner, uuid: string): Promise<void> {
  await execute(run, 'UPDATE block_device_mappings SET deleted = id, deleted_at = NOW(6) WHERE uuid = ? AND deleted = 0', [uuid]);
}
