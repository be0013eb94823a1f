export {
  createImage,
  DEFAULT_IMAGE_NAME,
  ensureDefaultImage,
  findImage,
  type Image,
  type ImageSpec,
  type ImageViewer,
} from './store.js';
