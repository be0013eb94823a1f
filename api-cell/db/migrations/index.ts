import type { Migration } from '../../../ops/runtime-db/index.js';
import * as initial from './0001-initial.js';
import * as images from './0002-images.js';
import * as identity from './0003-identity.js';
import * as imageData from './0004-image-data.js';
import * as identityAdmin from './0005-identity-admin.js';
import * as blockDevices from './0006-block-device-mappings.js';

/** The API database's migration history, oldest first. Never edit a landed entry: add one. */
export const apiMigrations: Migration[] = [
  { name: '0001-initial', ...initial },
  { name: '0002-images', ...images },
  { name: '0003-identity', ...identity },
  { name: '0004-image-data', ...imageData },
  { name: '0005-identity-admin', ...identityAdmin },
  { name: '0006-block-device-mappings', ...blockDevices },
];
