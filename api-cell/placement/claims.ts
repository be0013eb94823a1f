import type { Transaction } from 'sequelize';
import { UnavailableError } from '../../ops/runtime/index.js';
import { execute, inList, isDeadlock, placeholders, retryDeadlocks, select, type Runner } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { loadProvidersIn } from './read.js';
import { whyNotFit, type Provider, type Resources } from './types.js';

export interface Claim {
  consumer: string;
  projectId: string;
  userId: string;
  providerId: number;
  resources: Resources;
}

export type ClaimOutcome =
  | { consumer: string; status: 'claimed'; providerId: number }
  | { consumer: string; status: 'full'; providerId: number; reason: string };

export interface ClaimResult {
  outcomes: ClaimOutcome[];
  /** The providers as they are after the claim, for the caller's cache. */
  providers: Provider[];
  /** How many times a concurrent change forced a retry. */
  conflicts: number;
}

class GenerationConflict extends Error {}

const maxAttempts = 20;

/**
 * Claims resources for consumers, all in one transaction (placement's way): read the
 * providers' generations and usages, check every claim fits, write the allocations, and bump
 * each touched provider's generation only if it is still the one read. Another claim in
 * between moves the generation, the bump misses, and the whole batch is retried with what is
 * now true, so no number of concurrent claimers can put more on a provider than it holds.
 * A consumer that already holds allocations has them replaced (a move, or the same claim again).
 */
export async function claimResources(api: ApiDatabase, claims: Claim[]): Promise<ClaimResult> {
  if (claims.length === 0) return { outcomes: [], providers: [], conflicts: 0 };
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    try {
      const result = await api.sequelize.transaction((transaction) => attemptClaims(api, transaction, claims));
      return { ...result, conflicts: attempt };
    } catch (err) {
      if (!(err instanceof GenerationConflict) && !isDeadlock(err)) throw err;
      await new Promise((done) => setTimeout(done, Math.random() * 5 * (attempt + 1)));
    }
  }
  throw new UnavailableError(`resource claims kept conflicting after ${maxAttempts} attempts`);
}

async function attemptClaims(api: ApiDatabase, transaction: Transaction, claims: Claim[]): Promise<Omit<ClaimResult, 'conflicts'>> {
  const run: Runner = { sequelize: api.sequelize, transaction };
  const consumers = claims.map((c) => c.consumer);
  const held = await select<{ consumer_id: string; resource_provider_id: number; resource_class: string; used: number }>(
    run,
    `SELECT consumer_id, resource_provider_id, resource_class, used FROM allocations WHERE consumer_id IN (${inList(consumers.length)})`,
    consumers,
  );
  const providerIds = [...new Set([...claims.map((c) => c.providerId), ...held.map((h) => h.resource_provider_id)])];
  const providers = new Map((await loadProvidersIn(run, providerIds)).map((p) => [p.id, p]));
  const read = new Map([...providers.values()].map((p) => [p.id, p.generation]));
  // What a consumer holds now is given back before its new claim is weighed.
  for (const h of held) {
    const p = providers.get(h.resource_provider_id);
    if (p) p.usages[h.resource_class] = (p.usages[h.resource_class] ?? 0) - Number(h.used);
  }
  const outcomes: ClaimOutcome[] = [];
  const granted: Claim[] = [];
  for (const claim of claims) {
    const provider = providers.get(claim.providerId);
    const reason = provider ? whyNotFit(provider, claim.resources) : 'the provider is gone';
    if (provider && reason === undefined) {
      for (const [rc, amount] of Object.entries(claim.resources)) provider.usages[rc] = (provider.usages[rc] ?? 0) + amount;
      granted.push(claim);
      outcomes.push({ consumer: claim.consumer, status: 'claimed', providerId: claim.providerId });
    } else {
      outcomes.push({ consumer: claim.consumer, status: 'full', providerId: claim.providerId, reason: reason ?? 'full' });
    }
  }
  const grantedConsumers = new Set(granted.map((g) => g.consumer));
  const touched = new Set([
    ...granted.map((g) => g.providerId),
    ...held.filter((h) => grantedConsumers.has(h.consumer_id)).map((h) => h.resource_provider_id),
  ]);
  if (granted.length > 0) await writeAllocations(run, granted);
  await bumpGenerations(run, [...touched].map((id) => [id, read.get(id) ?? -1]));
  for (const id of touched) {
    const p = providers.get(id);
    if (p) p.generation += 1;
  }
  // Providers that only lent back a refused consumer's hold were not changed: restore their usage view.
  for (const h of held) {
    const p = providers.get(h.resource_provider_id);
    if (p && !grantedConsumers.has(h.consumer_id)) p.usages[h.resource_class] = (p.usages[h.resource_class] ?? 0) + Number(h.used);
  }
  return { outcomes, providers: [...providers.values()] };
}

async function writeAllocations(run: Runner, granted: Claim[]): Promise<void> {
  const consumers = granted.map((g) => g.consumer);
  await execute(run, `DELETE FROM allocations WHERE consumer_id IN (${inList(consumers.length)})`, consumers);
  const rows = granted.flatMap((g) =>
    Object.entries(g.resources)
      .filter(([, amount]) => amount > 0)
      .map(([rc, amount]) => [g.providerId, g.consumer, rc, amount]),
  );
  if (rows.length > 0) {
    await execute(
      run,
      `INSERT INTO allocations (resource_provider_id, consumer_id, resource_class, used) VALUES ${placeholders(rows.length, 4)}`,
      rows.flat(),
    );
  }
  await execute(
    run,
    `INSERT INTO consumers (uuid, project_id, user_id, generation) VALUES ${placeholders(granted.length, 4)}
     ON DUPLICATE KEY UPDATE generation = generation + 1, updated_at = NOW(6)`,
    granted.flatMap((g) => [g.consumer, g.projectId, g.userId, 1]),
  );
}

/** Bumps each provider's generation if it is still `expected`; any miss means someone else changed it. */
async function bumpGenerations(run: Runner, expected: [number, number][]): Promise<void> {
  if (expected.length === 0) return;
  const changed = await execute(
    run,
    `UPDATE resource_providers SET generation = generation + 1, updated_at = NOW(6)
     WHERE ${expected.map(() => '(id = ? AND generation = ?)').join(' OR ')}`,
    expected.flat(),
  );
  if (changed !== expected.length) throw new GenerationConflict();
}

/** Frees consumers' allocations and bumps their providers' generations; returns the providers touched. */
export async function freeAllocations(api: ApiDatabase, consumers: string[], transaction?: Transaction): Promise<number[]> {
  if (consumers.length === 0) return [];
  const work = async (t: Transaction): Promise<number[]> => {
    const run: Runner = { sequelize: api.sequelize, transaction: t };
    const rows = await select<{ id: number }>(
      run,
      `SELECT DISTINCT resource_provider_id AS id FROM allocations WHERE consumer_id IN (${inList(consumers.length)}) FOR UPDATE`,
      consumers,
    );
    await execute(run, `DELETE FROM allocations WHERE consumer_id IN (${inList(consumers.length)})`, consumers);
    await execute(run, `DELETE FROM consumers WHERE uuid IN (${inList(consumers.length)})`, consumers);
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) {
      await execute(run, `UPDATE resource_providers SET generation = generation + 1, updated_at = NOW(6) WHERE id IN (${inList(ids.length)})`, ids);
    }
    return ids;
  };
  // Its own transaction runs again when MariaDB picks it as a deadlock victim.
  return transaction ? work(transaction) : retryDeadlocks(() => api.sequelize.transaction(work));
}

export interface Allocation {
  consumer: string;
  providerId: number;
  providerUuid: string;
  host: string | null;
  resources: Resources;
}

/** Where each consumer's resources are allocated (one provider per consumer here). */
export async function allocationsOf(api: ApiDatabase, consumers: string[]): Promise<Map<string, Allocation>> {
  if (consumers.length === 0) return new Map();
  const rows = await select<{ consumer_id: string; id: number; uuid: string; host: string | null; resource_class: string; used: number }>(
    api,
    `SELECT a.consumer_id, rp.id, rp.uuid, rp.host, a.resource_class, a.used
       FROM allocations a JOIN resource_providers rp ON rp.id = a.resource_provider_id
      WHERE a.consumer_id IN (${inList(consumers.length)})`,
    consumers,
  );
  const result = new Map<string, Allocation>();
  for (const row of rows) {
    let a = result.get(row.consumer_id);
    if (!a) {
      a = { consumer: row.consumer_id, providerId: row.id, providerUuid: row.uuid, host: row.host, resources: {} };
      result.set(row.consumer_id, a);
    }
    a.resources[row.resource_class] = Number(row.used);
  }
  return result;
}
