import { connectBus, Counter, Dependencies, InvalidInputError, type RunningService, type ServiceContext } from '../../ops/runtime/index.js';
import { qemuDrivers } from '../virt/qemu/index.js';
import { HostPool } from './pool.js';

/**
 * A compute pool process: `--hosts N` fake hosts named `--prefix`-1..N in one cell, talking only
 * to that cell's bus. `--fail-hosts a,b` makes those hosts fail every spawn.
 */
export async function startPool({ config, log, metrics, args }: ServiceContext): Promise<RunningService> {
  const { uuid, transport_url: transportUrl, name } = config.cell;
  if (!uuid || !transportUrl) throw new InvalidInputError('a compute pool needs cell.uuid and cell.transport_url');
  const count = Number(args['hosts'] ?? '1');
  if (!Number.isInteger(count) || count < 1) throw new InvalidInputError(`--hosts must be a whole number above 0, not ${args['hosts']}`);
  const prefix = args['prefix'] ?? `${name || 'cell'}-host`;
  const dependencies = new Dependencies(metrics, log);
  const nc = await dependencies.waitFor('cell bus', () => connectBus(transportUrl, { name: `compute-pool ${prefix}` }));
  dependencies.watchBus('cell bus', nc);
  const built = new Counter({ name: 'cellstack_compute_builds_total', help: 'Builds finished on this pool, by outcome.', labelNames: ['outcome'], registers: [metrics] });
  const pool = new HostPool({
    cellUuid: uuid,
    nc,
    prefix,
    count,
    failingHosts: (args['fail-hosts'] ?? '').split(',').filter(Boolean),
    ...(config.compute.driver === 'qemu' ? { driverFor: qemuDrivers(config, log) } : {}),
    driver: {
      vcpus: config.fake_driver.vcpus,
      memory_mb: config.fake_driver.memory_mb,
      local_gb: config.fake_driver.local_gb,
      spawnMs: config.fake_driver.spawn_ms,
      spawnJitterMs: config.fake_driver.spawn_jitter_ms,
      actionMs: config.fake_driver.action_ms,
      actionJitterMs: config.fake_driver.action_jitter_ms,
      distribution: config.fake_driver.time_distribution,
      failureRate: config.fake_driver.failure_rate,
    },
    ratios: {
      cpu: config.compute.cpu_allocation_ratio,
      ram: config.compute.ram_allocation_ratio,
      disk: config.compute.disk_allocation_ratio,
    },
    reportIntervalMs: config.compute.report_interval * 1000,
    resourceReportIntervalMs: config.compute.resource_report_interval * 1000,
    log: log.child({ cell: name || uuid }),
    onBuilt: (ok) => built.inc({ outcome: ok ? 'active' : 'failed' }),
  });
  // A pool started beside its conductor (deploy up, a restart) waits for it rather than dying.
  await dependencies.waitFor('cell conductor', () => pool.register());
  const recovered = await pool.start();
  log.info({ hosts: count, prefix, ...recovered }, 'compute hosts registered; their instances found again');
  return {
    async stop() {
      await pool.stop(true);
      await nc.drain();
    },
  };
}
