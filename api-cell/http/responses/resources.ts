import { Type, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { dateTime, links, nullable, strict } from './common.js';

/** Answers of the version documents and of a server's sub-resources, from Nova's API reference. */

const version = strict(
  { id: Type.String(), status: Type.String(), version: Type.String(), min_version: Type.String(), updated: dateTime, links },
  { 'media-types': Type.Array(strict({ base: Type.String(), type: Type.String() })) },
);

/** GET / : every API version. */
export const versionsResponse: TSchema = strict({ versions: Type.Array(version, { minItems: 1 }) });

/** GET /v2.1 (and /v2): one version. */
export const versionResponse: TSchema = strict({ version });

/** GET /servers/{id}/diagnostics from 2.48 (before it each driver answered its own keys). */
export const diagnosticsResponse: TSchema = (() => {
  const n = Type.Integer({ minimum: 0 });
  const count = nullable(n);
  return strict({
    state: Type.Union(['pending', 'running', 'paused', 'shutdown', 'crashed', 'suspended'].map((s) => Type.Literal(s))),
    driver: Type.Union(['libvirt', 'xenapi', 'vmwareapi', 'ironic', 'hyperv'].map((s) => Type.Literal(s))),
    hypervisor: nullable(Type.String()),
    hypervisor_os: nullable(Type.String()),
    uptime: count,
    config_drive: Type.Boolean(),
    num_cpus: n,
    num_nics: n,
    num_disks: n,
    cpu_details: Type.Array(strict({ id: count, time: count, utilisation: count })),
    nic_details: Type.Array(
      strict({
        mac_address: nullable(Type.String({ pattern: '^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$' })),
        ...Object.fromEntries(['rx_octets', 'rx_errors', 'rx_drop', 'rx_packets', 'rx_rate', 'tx_octets', 'tx_errors', 'tx_drop', 'tx_packets', 'tx_rate'].map((k) => [k, count])),
      }),
    ),
    disk_details: Type.Array(strict({ read_bytes: count, read_requests: count, write_bytes: count, write_requests: count, errors_count: count })),
    memory_details: strict({ maximum: count, used: count }),
  });
})();

const pythonTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$' });

function action(v: Microversion) {
  const fields = {
    action: Type.String(),
    instance_uuid: Type.String({ format: 'uuid' }),
    message: nullable(Type.String()),
    project_id: Type.String(),
    request_id: Type.String(),
    start_time: pythonTime,
    user_id: Type.String(),
  };
  return atLeast(v, '2.58') ? { ...fields, updated_at: pythonTime } : fields;
}

/** GET /servers/{id}/os-instance-actions. */
export const instanceActionsResponse = (v: Microversion): TSchema =>
  strict({ instanceActions: Type.Array(strict(action(v))) }, atLeast(v, '2.58') ? { links } : {});

/** GET /servers/{id}/os-instance-actions/{request_id}; events for admins, and for all from 2.51. */
export const instanceActionResponse = (v: Microversion): TSchema => {
  const event = strict(
    { event: Type.String(), start_time: pythonTime, finish_time: nullable(pythonTime), result: nullable(Type.String()), ...(atLeast(v, '2.62') ? { hostId: Type.String() } : {}) },
    { traceback: nullable(Type.String()), ...(atLeast(v, '2.62') ? { host: nullable(Type.String()) } : {}), ...(atLeast(v, '2.84') ? { details: nullable(Type.String()) } : {}) },
  );
  return strict({ instanceAction: strict(action(v), { events: Type.Array(event) }) });
};
