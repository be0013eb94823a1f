import type { Aggregate } from '../../aggregates/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { isoTime } from './links.js';

/** Nova's aggregate view; `uuid` from 2.41. Creation answers without hosts and metadata. */
export function aggregateView(a: Aggregate, version: Microversion, full = true): Record<string, unknown> {
  return {
    id: a.id,
    ...(atLeast(version, '2.41') ? { uuid: a.uuid } : {}),
    name: a.name,
    availability_zone: a.availability_zone,
    ...(full ? { hosts: a.hosts, metadata: a.metadata } : {}),
    created_at: isoTime(a.created_at),
    updated_at: isoTime(a.updated_at),
    deleted: false,
    deleted_at: null,
  };
}
