// The volume service (a Block Storage v3 subset): volumes, snapshots, types, attachments, quotas,
// with its own database and volumes as files made with qemu-img.
export { attachToServer, createAttachment, completeAttachment, connectionInfo, deleteAttachment, detachFromServer, updateAttachment, type AttachmentSpec } from './attach.js';
export { attachmentsOfInstance, attachmentsOfVolumes, findAttachment } from './attachments.js';
export { BackendError, FileBackend, type VolumeFormat } from './backend.js';
export { createVolume, type VolumeSpec } from './create.js';
export { openVolumeDatabase, syncVolumeDatabase, volumeMigrations, volumeSchemaStatus, type VolumeDatabase } from './db/index.js';
export type { VolumeDeps } from './deps.js';
export { VolumeLimitExceededError } from './errors.js';
export { createSnapshot, deleteSnapshot, deleteVolume, extendVolume, updateVolume, type SnapshotSpec, type VolumeChanges } from './lifecycle.js';
export { defaultLimits, projectLimits, projectUsage, QUOTA_RESOURCES, resetProjectLimits, setProjectLimits, type QuotaLimits, type QuotaResource } from './quotas.js';
export { DEFAULT_TYPE, type Attachment, type Snapshot, type Volume, type VolumeType, type VolumeViewer } from './records.js';
export { moveRow, updateFields } from './rows.js';
export { VolumeService } from './service.js';
export { findSnapshot, listSnapshots, SNAPSHOT_SORT_KEYS, type SnapshotQuery } from './snapshots.js';
export { createType, defaultType, deleteType, findType, listTypes, typesByUuid, updateType, type TypeSpec } from './types.js';
export { findVolume, listVolumes, VOLUME_SORT_KEYS, volumesByUuid, type VolumeQuery } from './volumes.js';
export { volumeRouter } from './api/router.js';
export type { VolumeApiDeps } from './api/common.js';
