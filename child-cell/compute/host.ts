import { serveRpc, type Logger, type NatsConnection, type Subscription } from '../../ops/runtime/index.js';
import { COMPUTE_BINARY, computeSubject } from '../bus/index.js';
import type { ConductorClient, HostInstance } from '../conductor/index.js';
import type { VirtDriver } from '../virt/index.js';
import { ComputeClient } from './client.js';
import { computeMethods, type HostContext } from './handler.js';
import { adoptGuests, reapStrays, recoverInstances, type RecoveryCounts } from './recover.js';

export const COMPUTE_SERVICE_VERSION = 1;

export interface ComputeHostOptions {
  host: string;
  nodeUuid: string;
  cellUuid: string;
  nc: NatsConnection;
  conductor: ConductorClient;
  driver: VirtDriver;
  ratios: { cpu: number; ram: number; disk: number };
  log: Logger;
  /** Misbehave on purpose: take the first cast of each build and forget it. */
  losesFirstCasts?: boolean;
  onBuilt?: (ok: boolean) => void;
}

/** One compute host: a service record, a compute node, and its own subject on the cell's bus. */
export class ComputeHost {
  private subscription: Subscription | undefined;
  private readonly context: HostContext;

  constructor(private readonly options: ComputeHostOptions) {
    this.context = {
      host: options.host,
      driver: options.driver,
      conductor: options.conductor,
      peers: new ComputeClient(options.nc, options.cellUuid),
      log: options.log.child({ host: options.host }),
      instances: new Map(),
      ...(options.losesFirstCasts ? { lostCasts: new Set<string>() } : {}),
      ...(options.onBuilt ? { onBuilt: options.onBuilt } : {}),
    };
  }

  get host(): string {
    return this.options.host;
  }

  /** Lets the driver find what its hypervisor already runs. */
  async initDriver(): Promise<void> {
    await this.options.driver.init?.();
  }

  closeDriver(): void {
    this.options.driver.close?.();
  }

  /** Creates or brings back the host's service and compute node (what a starting nova-compute does). */
  async report(): Promise<void> {
    await this.options.conductor.registerHost({
      host: this.options.host,
      binary: COMPUTE_BINARY,
      topic: 'compute',
      version: COMPUTE_SERVICE_VERSION,
      node: this.node(),
    });
  }

  /** The periodic resource report: fire and forget, written by the conductor only if it changed. */
  reportResources(): void {
    this.options.conductor.reportResources({ host: this.options.host, node: this.node() });
  }

  private node() {
    const resources = this.options.driver.resources();
    return {
      uuid: this.options.nodeUuid,
      hypervisor_hostname: this.options.host,
      hypervisor_type: this.options.driver.hypervisorType,
      vcpus: resources.vcpus,
      memory_mb: resources.memory_mb,
      local_gb: resources.local_gb,
      cpu_allocation_ratio: this.options.ratios.cpu,
      ram_allocation_ratio: this.options.ratios.ram,
      disk_allocation_ratio: this.options.ratios.disk,
    };
  }

  /** After a restart: guests at rest come back into the driver (before serving, so actions find them). */
  adopt(instances: HostInstance[]): void {
    adoptGuests(this.context, instances);
  }

  /** After a restart and once serving: finishes or fails what the restart cut short. */
  async recover(instances: HostInstance[], counts: RecoveryCounts): Promise<void> {
    await recoverInstances(this.context, instances, counts);
    await reapStrays(this.context, instances);
  }

  serve(): void {
    this.subscription = serveRpc(this.options.nc, computeSubject(this.options.cellUuid, this.options.host), {
      methods: computeMethods(this.context),
      log: this.context.log,
    });
  }

  /** Guests the host's hypervisor runs now. */
  guests(): string[] {
    return this.options.driver.guests();
  }

  heartbeat(): void {
    this.options.conductor.heartbeat({ host: this.options.host, binary: COMPUTE_BINARY });
  }

  stopServing(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
