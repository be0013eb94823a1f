import type Router from '@koa/router';
import type { DiagnosticsResult } from '../../../child-cell/compute/index.js';
import type { InstanceDetail } from '../../../child-cell/db/index.js';
import { serverDiagnostics } from '../../compute/diagnostics.js';
import { atLeast } from '../microversion.js';
import { requireAdmin } from '../policy.js';
import type { ApiState } from '../state.js';
import type { ApiServices } from './services.js';

/** GET /servers/{id}/diagnostics (admin): the 2.48 standard shape, or before it the driver's own flat one. */
export function registerDiagnosticsRoutes(router: Router<ApiState>, services: ApiServices): void {
  const deps = { ...services, castTimeoutMs: services.config.super_conductor.cast_timeout_ms };
  router.get('/v2.1/servers/:id/diagnostics', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-server-diagnostics');
    const { instance, diagnostics } = await serverDiagnostics(deps, ctx.state.context, ctx.params['id'] ?? '');
    // Both shapes are the body itself: Nova wraps neither in a key.
    ctx.body = atLeast(ctx.state.version, '2.48') ? standard(instance, diagnostics) : flat(instance, diagnostics);
  });
}

const requestsOf = (bytes: number) => Math.ceil(bytes / 4096);

function standard(i: InstanceDetail, d: DiagnosticsResult): Record<string, unknown> {
  const cpus = Math.max(1, i.flavor.vcpus);
  return {
    state: 'running',
    // 2.48 names the driver from a closed list of Nova's real ones, as Nova's own fake driver
    // does; libvirt is the one that drives QEMU. The hypervisor says what really answered.
    driver: 'libvirt',
    hypervisor: 'fake',
    hypervisor_os: 'cellstack',
    uptime: d.uptime_seconds,
    config_drive: Boolean(i.config_drive),
    num_cpus: cpus,
    num_nics: 0,
    num_disks: 1,
    cpu_details: Array.from({ length: cpus }, (_, id) => ({ id, time: Math.floor(d.cpu_time_ns / cpus), utilisation: 5 })),
    nic_details: [],
    disk_details: [{ read_bytes: d.disk_read_bytes, read_requests: requestsOf(d.disk_read_bytes), write_bytes: d.disk_write_bytes, write_requests: requestsOf(d.disk_write_bytes), errors_count: 0 }],
    memory_details: { maximum: i.flavor.memory_mb, used: Math.floor(i.flavor.memory_mb / 4) },
  };
}

/** Before 2.48 each driver answered its own keys; these are libvirt's, which clients know best. */
function flat(i: InstanceDetail, d: DiagnosticsResult): Record<string, number> {
  return {
    cpu0_time: d.cpu_time_ns,
    memory: i.flavor.memory_mb * 1024,
    vda_read: d.disk_read_bytes,
    vda_read_req: requestsOf(d.disk_read_bytes),
    vda_write: d.disk_write_bytes,
    vda_write_req: requestsOf(d.disk_write_bytes),
    vda_errors: -1,
  };
}
