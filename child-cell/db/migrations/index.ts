import type { Migration } from '../../../ops/runtime-db/index.js';
import * as initial from './0001-initial.js';
import * as pinnedZone from './0002-pinned-zone.js';
import * as serviceLiveness from './0003-service-liveness.js';
import * as novaComputeBinary from './0004-nova-compute-binary.js';
import * as consoleAuthTokens from './0005-console-auth-tokens.js';
import * as autoDiskConfig from './0006-auto-disk-config.js';

/** Every cell database's migration history (cell0 and child cells alike), oldest first. */
export const cellMigrations: Migration[] = [
  { name: '0001-initial', ...initial },
  { name: '0002-pinned-zone', ...pinnedZone },
  { name: '0003-service-liveness', ...serviceLiveness },
  { name: '0004-nova-compute-binary', ...novaComputeBinary },
  { name: '0005-console-auth-tokens', ...consoleAuthTokens },
  { name: '0006-auto-disk-config', ...autoDiskConfig },
];
