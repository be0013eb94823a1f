// The image registry (a Glance v2 subset): what `imageRef` and `openstack image ...` resolve against.
export {
  assertOwner,
  createImage,
  DEFAULT_IMAGE_NAME,
  deleteImage,
  discardImage,
  downloadImage,
  EDITABLE_ATTRIBUTES,
  ensureDefaultImage,
  findImage,
  listImages,
  SORT_KEYS,
  storeImageData,
  updateImage,
  uploadImage,
  type Image,
  type ImageChanges,
  type ImageQuery,
  type ImageSortKey,
  type ImageSpec,
  type ImageViewer,
} from './store.js';
export { rotateBackups } from './backups.js';
