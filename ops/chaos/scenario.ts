import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { BootsSection, ChurnSection, FakeSection, problems, TimingSection, toScenario, type Scenario } from '../loadtest/scenario.js';
import { InvalidInputError } from '../runtime/index.js';

const int = (value: number, description: string, minimum = 0) => Type.Integer({ default: value, description, minimum });
const num = (value: number, description: string, minimum = 0) => Type.Number({ default: value, description, minimum });

/** What a kill may name: a launcher process, one worker of the API, or the harness's own Redis or MariaDB. */
export const TARGET_PATTERN = '^(super-conductor-[0-9]+|cell[0-9]+-(conductor|compute(-[0-9]+)?|nats)|api-worker|redis|mariadb)$';

export const KillSchema = Type.Object(
  {
    at: num(0, 'Seconds after the load starts (before jitter).'),
    target: Type.String({
      pattern: TARGET_PATTERN,
      description: 'super-conductor-N, cellN-conductor, cellN-compute (or cellN-compute-P), cellN-nats, api-worker (one child of the API primary), redis, mariadb.',
    }),
    restart_after: num(5, 'Seconds from the kill to the restart (`deploy up` again, or the same server on its port and data dir). The API primary replaces a killed worker itself.'),
    during_start: Type.Boolean({ default: false, description: 'Kill the target once more as soon as its restart has started it, then restart it again.' }),
  },
  { additionalProperties: false },
);

export const ChaosDeploymentSection = Type.Object(
  {
    cells: int(2, 'Child cells.', 1),
    hosts_per_cell: int(20, 'Fake compute hosts in each cell.', 1),
    hosts_per_pool: int(0, 'Most hosts one compute pool process runs (0: one pool per cell).'),
    super_conductors: int(2, 'Super-conductor processes.', 1),
    api_workers: int(2, 'API worker processes under the API primary.', 1),
    state_dir: Type.String({ default: '.cellstack/chaos', description: "Pids, logs, config and the harness's MariaDB data dir (relative to the repository)." }),
    db_prefix: Type.String({ default: 'cellstack_chaos', description: 'Prefix of the database names.' }),
    api_port: int(28874, 'Compute API port.', 1),
    nats_port: int(24331, "First cell's NATS port.", 1),
    metrics_port: int(29280, 'First /metrics port.', 1),
    keep: Type.Boolean({ default: false, description: 'Leave the deployment, MariaDB and Redis running afterwards (for a look at a failed run).' }),
  },
  { default: {}, additionalProperties: false, description: 'The deployment: started fresh on a MariaDB and a Redis the harness starts itself.' },
);

export const ChaosScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Names the run in reports and file names.' }),
    description: Type.String({ default: '' }),
    duration: num(60, 'Seconds the boots and churn run.', 1),
    seed: int(0, 'Seed of the jitter (0: a random one, printed and written in the report so a run can be repeated).'),
    jitter_s: num(0, 'Each kill time moves by up to this many seconds either way, so repeated runs try other timings.'),
    settle_deadline_s: num(60, 'Every accepted server must settle (and every invariant hold) within this many seconds of the last restart.', 1),
    cleanup_deadline_s: num(90, 'Seconds the deletes of every server may take before leftovers count.', 1),
    consoles: int(10, 'Remote consoles asked for on ACTIVE servers after the load, so console tokens exist to be cleaned up.'),
    deployment: ChaosDeploymentSection,
    fake: FakeSection,
    timing: TimingSection,
    boots: BootsSection,
    churn: ChurnSection,
    kills: Type.Array(KillSchema, { default: [], description: 'The kill schedule.' }),
  },
  { additionalProperties: false },
);

export type ChaosScenario = Static<typeof ChaosScenarioSchema>;
export type Kill = Static<typeof KillSchema>;

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validate = ajv.compile<ChaosScenario>(ChaosScenarioSchema);

/** Checks a chaos scenario, fills in the defaults and checks every kill names a part the deployment has. */
export function toChaosScenario(value: unknown, where = 'scenario'): ChaosScenario {
  const copy: unknown = structuredClone(value);
  if (!validate(copy)) throw new InvalidInputError(`${where} is invalid: ${problems(validate.errors)}`);
  const d = copy.deployment;
  for (const kill of copy.kills) {
    const cell = /^cell(\d+)-/.exec(kill.target)?.[1];
    const sc = /^super-conductor-(\d+)$/.exec(kill.target)?.[1];
    if (cell !== undefined && Number(cell) > d.cells) throw new InvalidInputError(`${where}: kill target ${kill.target} names a cell the deployment lacks (${d.cells} cells)`);
    if (sc !== undefined && Number(sc) > d.super_conductors) throw new InvalidInputError(`${where}: kill target ${kill.target}: there are ${d.super_conductors} super-conductors`);
  }
  // Any ERROR must come from a fault the harness caused, so the fake driver never fails on purpose.
  copy.fake.failure_rate = 0;
  return copy;
}

export function readChaosScenario(file: string): ChaosScenario {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(`cannot read scenario ${file}: ${(cause as Error).message}`, { cause });
  }
  return toChaosScenario(parsed, `scenario ${file}`);
}

/** The load-test scenario whose boots and churn the chaos run drives (its REST driver and config keys). */
export function loadScenario(s: ChaosScenario, settleSeconds: number): Scenario {
  return toScenario({
    name: s.name,
    duration: s.duration,
    settle: settleSeconds,
    warmup: 0,
    deployment: { cells: s.deployment.cells, hosts_per_cell: s.deployment.hosts_per_cell },
    fake: s.fake,
    timing: s.timing,
    boots: s.boots,
    churn: s.churn,
  });
}
