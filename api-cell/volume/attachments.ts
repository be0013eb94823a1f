import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, select, type Runner } from '../../ops/runtime-db/index.js';
import { ATTACHMENT_COLUMNS, toAttachment, type Attachment, type AttachmentRow, type VolumeViewer } from './records.js';

export async function findAttachment(run: Runner, uuid: string, viewer?: VolumeViewer): Promise<Attachment> {
  const rows = await select<AttachmentRow>(run, `SELECT ${ATTACHMENT_COLUMNS} FROM volume_attachments WHERE uuid = ? AND deleted = 0`, [uuid]);
  const row = rows[0];
  if (!row || (viewer && !viewer.isAdmin && viewer.projectId !== row.project_id)) throw new NotFoundError(`VolumeAttachment ${uuid} could not be found.`);
  return toAttachment(row);
}

/** Live attachments of these volumes (for volume views), one query. */
export async function attachmentsOfVolumes(run: Runner, volumeUuids: string[]): Promise<Attachment[]> {
  if (volumeUuids.length === 0) return [];
  const sql = `SELECT ${ATTACHMENT_COLUMNS} FROM volume_attachments WHERE volume_uuid IN (${inList(volumeUuids.length)}) AND deleted = 0 ORDER BY id`;
  return (await select<AttachmentRow>(run, sql, volumeUuids)).map(toAttachment);
}

export async function attachmentsOfInstance(run: Runner, instanceUuid: string): Promise<Attachment[]> {
  const sql = `SELECT ${ATTACHMENT_COLUMNS} FROM volume_attachments WHERE instance_uuid = ? AND deleted = 0 ORDER BY id`;
  return (await select<AttachmentRow>(run, sql, [instanceUuid])).map(toAttachment);
}

export interface AttachmentQuery {
  projectId: string | undefined;
  volumeUuid?: string | undefined;
  instanceUuid?: string | undefined;
  status?: string | undefined;
  limit: number;
}

export async function listAttachments(run: Runner, q: AttachmentQuery): Promise<Attachment[]> {
  const where = ['deleted = 0'];
  const params: unknown[] = [];
  for (const [sql, value] of [['project_id = ?', q.projectId], ['volume_uuid = ?', q.volumeUuid], ['instance_uuid = ?', q.instanceUuid], ['attach_status = ?', q.status]] as const) {
    if (value === undefined) continue;
    where.push(sql);
    params.push(value);
  }
  const sql = `SELECT ${ATTACHMENT_COLUMNS} FROM volume_attachments WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`;
  return (await select<AttachmentRow>(run, sql, [...params, q.limit])).map(toAttachment);
}

export async function insertAttachment(run: Runner, a: { volume_uuid: string; project_id: string; instance_uuid: string | null; attach_status: string; attach_mode: string; connector: Record<string, unknown> | null }): Promise<string> {
  const uuid = randomUUID();
  await execute(run, 'INSERT INTO volume_attachments (uuid, volume_uuid, project_id, instance_uuid, attach_status, attach_mode, connector, attached_host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    uuid,
    a.volume_uuid,
    a.project_id,
    a.instance_uuid,
    a.attach_status,
    a.attach_mode,
    a.connector ? JSON.stringify(a.connector) : null,
    typeof a.connector?.['host'] === 'string' ? a.connector['host'] : null,
  ]);
  return uuid;
}

export async function setAttachment(run: Runner, uuid: string, fields: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(fields);
  await execute(run, `UPDATE volume_attachments SET ${keys.map((k) => `\`${k}\` = ?`).join(', ')}, updated_at = NOW(6) WHERE uuid = ? AND deleted = 0`, [
    ...Object.values(fields).map((v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v)),
    uuid,
  ]);
}

export async function softDeleteAttachment(run: Runner, uuid: string): Promise<void> {
  await execute(run, "UPDATE volume_attachments SET deleted = id, deleted_at = NOW(6), detach_time = NOW(6), attach_status = 'detached' WHERE uuid = ? AND deleted = 0", [uuid]);
}
