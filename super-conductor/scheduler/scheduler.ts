import type { RequestSpec } from '../../api-cell/builds/index.js';
import type { ApiDatabase } from '../../api-cell/db/index.js';
import { claimResources, ResourceClass, type Allocation, type Claim, type Resources } from '../../api-cell/placement/index.js';
import { errorMessage, type Config, type Logger } from '../../ops/runtime/index.js';
import { select } from '../../ops/runtime-db/index.js';
import type { HostStateCache } from './cache.js';
import { defaultFilters, hintedInstances, type FilterContext, type HostFilter } from './filters/index.js';
import { serviceUp, type HostState } from './host-state.js';
import { chooseHost, filterHosts, firstRejection, Weighing, type Candidate, type Rejections } from './select.js';
import { defaultWeighers, type Weigher } from './weighers/index.js';

export interface Placement {
  spec: RequestSpec;
  host: HostState;
  alternates: HostState[];
}

export interface Unplaced {
  spec: RequestSpec;
  reason: string;
  /** A host would pass but for not having answered a cast just now: worth waiting for, not failing. */
  awaitingHosts?: boolean;
}

export interface PlacementResult {
  placed: Placement[];
  unplaced: Unplaced[];
  /** Milliseconds spent choosing hosts (filters and weighers), claims excluded. */
  decisionMs: number;
  claimConflicts: number;
}

export interface SchedulerOptions {
  config: Config['scheduler'];
  serviceDownTimeMs: number;
  log: Logger;
  filters?: [string, HostFilter][];
  weighers?: Weigher[];
}

/** What one instance of the spec takes from a host. */
/** What a flavor claims (Nova's resources_from_flavor); a spec or an instance carries its flavor. */
export function resourcesOf(spec: Pick<RequestSpec, 'flavor'> & { is_bfv?: boolean | undefined }): Resources {
  const f = spec.flavor;
  return {
    [ResourceClass.VCPU]: f.vcpus,
    [ResourceClass.MEMORY_MB]: f.memory_mb,
    // A server booted from a volume keeps its root disk in the volume service, not on the host.
    [ResourceClass.DISK_GB]: (spec.is_bfv ? 0 : f.root_gb) + f.ephemeral_gb + Math.ceil(f.swap / 1024),
  };
}

const claimRounds = 3;

/** Where instances a batch refers to are: its server groups' members (group -> host -> count), hinted instances (uuid -> host). */
interface Related {
  groups: Map<string, Map<string, number>>;
  instances: Map<string, string>;
}

/**
 * Nova's filter scheduler over a warm host-state cache, with the claim made here (placement
 * style): choose hosts for a batch, claim them in one transaction, and choose again for what a
 * concurrent claimer took first.
 */
export class Scheduler {
  private readonly filters: [string, HostFilter][];
  private readonly weighers: Weigher[];

  constructor(
    private readonly cache: HostStateCache,
    private readonly api: ApiDatabase,
    private readonly options: SchedulerOptions,
  ) {
    this.filters = options.filters ?? defaultFilters;
    this.weighers = options.weighers ?? defaultWeighers;
  }

  /** A host that did not take a cast is left out of scheduling for scheduler.unreachable_host_ms. */
  markUnreachable(host: string): void {
    this.cache.markUnreachable(host, Date.now() + this.options.config.unreachable_host_ms);
  }

  /** Whether a host is up as far as this scheduler knows (heartbeats, forced down, unanswered casts). */
  isUp(host: string): boolean {
    const now = Date.now();
    return this.cache.all().some((h) => h.host === host && serviceUp(h, now, this.options.serviceDownTimeMs));
  }

  /**
   * Places a batch of instances; those that hold allocations already (a retried job) keep them.
   * What found no host is tried once more over host states read after the batch came.
   */
  async place(specs: RequestSpec[], held: Map<string, Allocation>): Promise<PlacementResult> {
    const began = Date.now();
    const result = await this.placeOnce(specs, held);
    const missed = result.unplaced.filter((u) => !u.awaitingHosts);
    if (missed.length === 0) return result;
    try {
      await this.cache.catchUp(began);
    } catch (err) {
      this.options.log.warn({ err: errorMessage(err) }, 'host states could not be read again for builds that found no host');
      return result;
    }
    const again = await this.placeOnce(missed.map((u) => u.spec), held);
    return {
      placed: [...result.placed, ...again.placed],
      unplaced: [...result.unplaced.filter((u) => u.awaitingHosts), ...again.unplaced],
      decisionMs: result.decisionMs + again.decisionMs,
      claimConflicts: result.claimConflicts + again.claimConflicts,
    };
  }

  private async placeOnce(specs: RequestSpec[], held: Map<string, Allocation>): Promise<PlacementResult> {
    const result: PlacementResult = { placed: [], unplaced: [], decisionMs: 0, claimConflicts: 0 };
    const related = await this.relatedHosts(specs);
    let pending: RequestSpec[] = [];
    for (const spec of specs) {
      const allocation = held.get(spec.instance_uuid);
      const host = allocation ? this.cache.all().find((h) => h.provider.id === allocation.providerId) : undefined;
      if (host) {
        result.placed.push({ spec, host, alternates: this.alternatesFor(spec, host, related) });
        this.countMember(related, spec, host);
      } else {
        pending.push(spec);
      }
    }
    for (let round = 0; round < claimRounds && pending.length > 0; round += 1) {
      const started = performance.now();
      const choices: Placement[] = [];
      for (const group of shapes(pending)) {
        for (const choice of this.chooseFor(group, related)) {
          if ('reason' in choice) result.unplaced.push(choice);
          else choices.push(choice);
        }
      }
      result.decisionMs += performance.now() - started;
      pending = await this.claim(choices, result, related);
    }
    for (const spec of pending) result.unplaced.push({ spec, reason: 'hosts filled up while this build was being placed' });
    return result;
  }

  /**
   * Chooses hosts for specs of one shape. The filters and weighers run over every host once;
   * after each pick only the picked host is checked and weighed again. Server-group specs are
   * filtered afresh for each instance, since every pick changes where the group lives.
   */
  private chooseFor(specs: RequestSpec[], related: Related): (Placement | Unplaced)[] {
    const first = specs[0];
    if (!first) return [];
    if (first.group) return specs.map((spec) => this.chooseOne(spec, related));
    const context = this.context(first, related);
    const { passed, rejections } = filterHosts(this.cache.all(), first, context, this.filters);
    const weighing = new Weighing(passed, this.weighers, this.options.config, { spec: first, groupHosts: context.groupHosts });
    let candidates: Candidate[] = weighing.candidates;
    return specs.map((spec) => {
      const { host_subset_size: subset, max_attempts: attempts, shuffle_best_same_weighed_hosts: shuffle } = this.options.config;
      const selection = chooseHost(candidates, subset, attempts - 1, shuffle);
      if (!selection) return { spec, reason: noValidHost(rejections), awaitingHosts: this.awaitingHosts(spec, context) };
      this.consume(selection.chosen, context);
      const picked = candidates.find((c) => c.host === selection.chosen);
      if (picked) {
        if (firstRejection(picked.host, spec, context, this.filters)) candidates = candidates.filter((c) => c !== picked);
        else picked.weight = weighing.weigh(picked.host);
      }
      return { spec, host: selection.chosen, alternates: selection.alternates };
    });
  }

  /** Chooses a host for one instance, filtering and weighing every host. */
  private chooseOne(spec: RequestSpec, related: Related): Placement | Unplaced {
    const context = this.context(spec, related);
    const { passed, rejections } = filterHosts(this.cache.all(), spec, context, this.filters);
    const { host_subset_size: subset, max_attempts: attempts, shuffle_best_same_weighed_hosts: shuffle } = this.options.config;
    const weighing = new Weighing(passed, this.weighers, this.options.config, { spec, groupHosts: context.groupHosts });
    const selection = chooseHost(weighing.candidates, subset, attempts - 1, shuffle);
    if (!selection) return { spec, reason: noValidHost(rejections), awaitingHosts: this.awaitingHosts(spec, context) };
    this.consume(selection.chosen, context);
    this.countMember(related, spec, selection.chosen);
    return { spec, host: selection.chosen, alternates: selection.alternates };
  }

  /** Whether a host that did not answer a cast just now would take the spec once it answers again. */
  private awaitingHosts(spec: RequestSpec, context: FilterContext): boolean {
    const now = context.now;
    const silent = this.cache.all().filter((h) => h.service.unreachableUntil > now);
    if (silent.length === 0) return false;
    return filterHosts(silent, spec, { ...context, ignoreUnreachable: true }, this.filters).passed.length > 0;
  }

  /** Counts a pick as used in the cache until the claim says what is true. */
  private consume(host: HostState, context: FilterContext): void {
    const usages = host.provider.usages;
    for (const [rc, amount] of Object.entries(context.resources)) usages[rc] = (usages[rc] ?? 0) + amount;
  }

  private alternatesFor(spec: RequestSpec, host: HostState, related: Related): HostState[] {
    const context = this.context(spec, related);
    const { passed } = filterHosts(this.cache.all(), spec, context, this.filters);
    const sameCell = passed.filter((h) => h.cellId === host.cellId && h.host !== host.host);
    const candidates = new Weighing(sameCell, this.weighers, this.options.config, { spec, groupHosts: context.groupHosts }).candidates;
    return candidates.sort((a, b) => b.weight - a.weight).slice(0, this.options.config.max_attempts - 1).map((c) => c.host);
  }

  private context(spec: RequestSpec, related: Related): FilterContext {
    return {
      now: Date.now(),
      serviceDownTimeMs: this.options.serviceDownTimeMs,
      defaultAvailabilityZone: this.options.config.default_availability_zone,
      resources: resourcesOf(spec),
      groupHosts: (spec.group && related.groups.get(spec.group.uuid)) || new Map(),
      hintHosts: related.instances,
    };
  }

  /** Claims the choices in one transaction; returns the specs whose host turned out to be full. */
  private async claim(choices: Placement[], result: PlacementResult, related: Related): Promise<RequestSpec[]> {
    if (choices.length === 0) return [];
    const claims: Claim[] = choices.map((c) => ({
      consumer: c.spec.instance_uuid,
      projectId: c.spec.project_id,
      userId: c.spec.user_id,
      providerId: c.host.provider.id,
      resources: resourcesOf(c.spec),
    }));
    const claimed = await claimResources(this.api, claims);
    result.claimConflicts += claimed.conflicts;
    this.cache.applyProviders(claimed.providers);
    const retry: RequestSpec[] = [];
    claimed.outcomes.forEach((outcome, i) => {
      const choice = choices[i];
      if (!choice) return;
      if (outcome.status === 'claimed') {
        result.placed.push(choice);
      } else {
        this.options.log.debug({ host: choice.host.host, reason: outcome.reason }, 'claim refused, choosing again');
        this.uncountMember(related, choice.spec, choice.host);
        retry.push(choice.spec);
      }
    });
    return retry;
  }

  /** Where the instances the batch's specs refer to are: server group members and hinted instances. */
  private async relatedHosts(specs: RequestSpec[]): Promise<Related> {
    const [groups, instances] = await Promise.all([this.groupHosts(specs), this.hintHosts(specs)]);
    return { groups, instances };
  }

  /** Hosts of the instances named by same_host / different_host hints, from their allocations. */
  private async hintHosts(specs: RequestSpec[]): Promise<Map<string, string>> {
    const uuids = [...new Set(specs.flatMap((s) => [...hintedInstances(s, 'same_host'), ...hintedInstances(s, 'different_host')]))];
    if (uuids.length === 0) return new Map();
    const rows = await select<{ consumer: string; host: string }>(
      this.api,
      `SELECT DISTINCT a.consumer_id AS consumer, rp.host FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id
        WHERE a.consumer_id IN (${uuids.map(() => '?').join(', ')})`,
      uuids,
    );
    return new Map(rows.map((r) => [r.consumer, r.host]));
  }

  /** Hosts holding members of the batch's server groups, from the members' allocations. */
  private async groupHosts(specs: RequestSpec[]): Promise<Map<string, Map<string, number>>> {
    const groups = [...new Set(specs.flatMap((s) => (s.group ? [s.group.uuid] : [])))];
    const result = new Map<string, Map<string, number>>(groups.map((g) => [g, new Map()]));
    if (groups.length === 0) return result;
    const batch = new Set(specs.map((s) => s.instance_uuid));
    const rows = await select<{ group_uuid: string; host: string; consumer: string }>(
      this.api,
      `SELECT DISTINCT g.uuid AS group_uuid, rp.host, a.consumer_id AS consumer
         FROM instance_groups g JOIN instance_group_member m ON m.group_id = g.id
         JOIN allocations a ON a.consumer_id = m.instance_uuid JOIN resource_providers rp ON rp.id = a.resource_provider_id
        WHERE g.uuid IN (${groups.map(() => '?').join(', ')})`,
      groups,
    );
    for (const row of rows) {
      if (batch.has(row.consumer)) continue;
      const hosts = result.get(row.group_uuid);
      if (hosts) hosts.set(row.host, (hosts.get(row.host) ?? 0) + 1);
    }
    return result;
  }

  private countMember(related: Related, spec: RequestSpec, host: HostState): void {
    const hosts = spec.group ? related.groups.get(spec.group.uuid) : undefined;
    if (hosts) hosts.set(host.host, (hosts.get(host.host) ?? 0) + 1);
  }

  private uncountMember(related: Related, spec: RequestSpec, host: HostState): void {
    const hosts = spec.group ? related.groups.get(spec.group.uuid) : undefined;
    const count = hosts?.get(host.host) ?? 0;
    if (hosts && count > 0) hosts.set(host.host, count - 1);
  }
}

/** Specs that ask for the same thing in the same way, which one filtering pass serves. */
function shapes(specs: RequestSpec[]): RequestSpec[][] {
  const groups = new Map<string, RequestSpec[]>();
  for (const spec of specs) {
    // Everything a filter or weigher reads: specs alike in all of it get the same hosts.
    const key = JSON.stringify([resourcesOf(spec), spec.availability_zone, spec.group?.uuid ?? null, hintedInstances(spec, 'same_host'), hintedInstances(spec, 'different_host'), spec.ignore_hosts, spec.requested_cell ?? null, spec.requested_host ?? null, spec.requested_node ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), spec]);
  }
  return [...groups.values()];
}

/** Nova's message, with what turned the hosts away. */
export function noValidHost(rejections: Rejections): string {
  const reasons = Object.entries(rejections.byFilter).map(([name, n]) => `${name} rejected ${n}`);
  const detail = rejections.considered === 0 ? 'no compute host is known' : `${rejections.considered} hosts: ${reasons.join(', ')}`;
  return `No valid host was found. There are not enough hosts available. (${detail})`;
}
