import type { Migration } from '../../../../ops/runtime-db/index.js';
import * as initial from './0001-initial.js';

/** The network database's migration history, oldest first. Never edit a landed entry: add one. */
export const networkMigrations: Migration[] = [{ name: '0001-initial', ...initial }];
