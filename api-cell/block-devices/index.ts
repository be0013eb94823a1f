// A server's volumes (Nova's block device mappings): checked and attached at create, attached and
// detached on a running server, given back when it is deleted. The volumes are the volume service's.
export { attachVolume, detachVolume, type AttachRequest } from './attach.js';
export { applyBlockDevices } from './apply.js';
export { fromLegacy, planBlockDevices, type BlockDeviceRequest, type PlannedDevice } from './plan.js';
export { releaseBlockDevices } from './release.js';
export { devicesOf, type BlockDevice } from './store.js';
export { withVolumesAttached } from './views.js';
