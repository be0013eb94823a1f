import type { Migration } from '../../../../ops/runtime-db/index.js';
import * as initial from './0001-initial.js';
import * as quotaClasses from './0002-quota-classes.js';

/** The volume database's migration history, oldest first. Never edit a landed entry: add one. */
export const volumeMigrations: Migration[] = [
  { name: '0001-initial', ...initial },
  { name: '0002-quota-classes', ...quotaClasses },
];
