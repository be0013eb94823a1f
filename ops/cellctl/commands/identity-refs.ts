import type { Ref } from '../../../api-cell/identity/index.js';

/** A name or a 32-hex id, as `openstack` takes them; a name is looked up in the given domain. */
export const byNameOrId = (value: string, domain?: string): Ref =>
  /^[0-9a-f]{32}$/.test(value) ? { id: value } : { name: value, ...(domain ? { domain: domainRef(domain) } : {}) };

export const domainRef = (value: string): { id: string } | { name: string } => (/^[0-9a-f]{32}$|^default$/.test(value) ? { id: value } : { name: value });
