import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { InvalidInputError } from '../runtime/index.js';

const int = (value: number, description: string, minimum = 0) => Type.Integer({ default: value, description, minimum });
const num = (value: number, description: string, minimum = 0) => Type.Number({ default: value, description, minimum });
const section = <T extends Record<string, TSchema>>(description: string, properties: T) =>
  Type.Object(properties, { default: {}, description, additionalProperties: false });

export const DeploymentSection = section('The deployment under load: started fresh, or one already running.', {
  cells: int(1, 'Child cells.', 1),
  hosts_per_cell: int(50, 'Fake compute hosts in each cell.', 1),
  hosts_per_pool: int(0, 'Most hosts one compute pool process runs (0: one pool per cell).', 0),
  super_conductors: int(1, 'Super-conductor processes.', 1),
  reuse: Type.Boolean({ default: false, description: 'Drive the deployment already running in state_dir instead of starting a fresh one.' }),
  keep: Type.Boolean({ default: false, description: 'Leave a deployment this run started running afterwards.' }),
  state_dir: Type.String({ default: '.cellstack/loadtest', description: 'Where the deployment keeps pids, logs and config (relative to the repository).' }),
  db_prefix: Type.String({ default: 'cellstack_loadtest', description: 'Prefix of its database names.' }),
  db_server: Type.String({ default: '', description: 'MariaDB server URL (empty: $CELLSTACK_DB_SERVER or the local one).' }),
  redis_url: Type.String({ default: '', description: 'Redis URL (empty: the local one).' }),
  api_port: int(18874, 'Compute API port.', 1),
  nats_port: int(14331, "First cell's NATS port.", 1),
  nats_monitor_port: int(18322, "First cell's NATS monitoring (/varz) port.", 1),
  metrics_port: int(19280, 'First /metrics port.', 1),
});

export const FakeSection = section('The fake hosts: their resources and how long their guests take.', {
  vcpus: int(16, 'vCPUs per host.', 1),
  memory_mb: int(65536, 'MiB of RAM per host.', 1),
  local_gb: int(1000, 'GiB of disk per host.', 1),
  spawn_ms: int(0, 'Mean spawn time.'),
  spawn_jitter_ms: int(0, 'Spawn time spread (uniform, +/-).'),
  action_ms: int(0, 'Time of any other guest action (reboot, stop, start, delete).'),
  failure_rate: num(0, 'Share of spawns that fail.'),
});

export const TimingSection = section('Host reporting, before time compression.', {
  report_interval: num(10, "Seconds between a host's heartbeats (compute.report_interval).", 0.01),
  resource_report_interval: num(60, "Seconds between a host's resource reports.", 0.01),
  service_down_time: num(60, 'Seconds without a heartbeat before a host counts as down.', 0.05),
  compression: num(1, 'Time compression K: the three intervals above are divided by K, so the hosts here send the bus and DB load of K times as many.', 1),
});

export const BootsSection = section('Servers booted through POST /servers during the run.', {
  count: int(20, 'Servers to boot in all (0: none).'),
  rate: num(0, 'Open loop: servers offered per second (0: closed loop at `concurrency`).'),
  concurrency: int(4, 'Closed loop: POSTs in flight at once.', 1),
  flavor: Type.String({ default: '1', description: 'flavorRef of every server.' }),
});

export const ChurnSection = section('Operations on servers already booted, while the run lasts.', {
  rate: num(0, 'Operations per second (0: no churn).'),
  delete: num(1, 'Weight of DELETE /servers/{id}.'),
  reboot: num(1, 'Weight of a soft reboot.'),
  stop: num(1, 'Weight of os-stop.'),
  start: num(1, 'Weight of os-start (of a stopped server).'),
});

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Names the run in reports and file names.' }),
    description: Type.String({ default: '' }),
    duration: num(30, 'Seconds the load runs; the harness then waits at most `settle` for boots in flight and stops.', 1),
    warmup: num(5, 'Seconds between every host heartbeating and the start of the measurement.', 0),
    settle: num(20, 'Most seconds to wait after `duration` for servers still building.', 0),
    sample_interval: num(1, 'Seconds between two samples of the figures.', 0.2),
    deployment: DeploymentSection,
    fake: FakeSection,
    timing: TimingSection,
    boots: BootsSection,
    churn: ChurnSection,
  },
  { additionalProperties: false },
);

export type Scenario = Static<typeof ScenarioSchema>;

export const StudySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.String({ default: '' }),
    study: Type.Object(
      {
        hosts: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, description: 'Host counts each layout is run with.' }),
        cells: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, description: 'Cell counts the same hosts are spread over.' }),
        saturation: Type.Object(
          {
            hosts: Type.Integer({ minimum: 1, description: 'Real hosts of the saturation runs.' }),
            compression: Type.Array(Type.Number({ minimum: 1 }), { minItems: 1, description: 'Time compressions tried in turn on one cell.' }),
            cells: Type.Array(Type.Integer({ minimum: 2 }), { description: 'Cell counts the saturating load is then spread over.' }),
            lag_limit_ms: Type.Number({ default: 1000, minimum: 1, description: 'Heartbeat lag p99 past which a cell counts as saturated.' }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    base: Type.Object({}, { additionalProperties: true, default: {}, description: 'Scenario keys every run of the study shares.' }),
  },
  { additionalProperties: false },
);

export type Study = Static<typeof StudySchema>;

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validateScenario = ajv.compile<Scenario>(ScenarioSchema);
const validateStudy = ajv.compile<Study>(StudySchema);

/** ajv's errors as one line naming each place (`boots.rate must be >= 0; ...`); the chaos scenarios use it too. */
export function problems(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'scenario';
      const extra = 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : '';
      return `${where} ${e.message ?? 'is invalid'}${extra}`;
    })
    .join('; ');
}

/** Checks a scenario (from YAML or code), fills in the defaults and returns it. */
export function toScenario(value: unknown, where = 'scenario'): Scenario {
  const copy: unknown = structuredClone(value);
  if (!validateScenario(copy)) throw new InvalidInputError(`${where} is invalid: ${problems(validateScenario.errors)}`);
  return copy;
}

export type ScenarioFile = { kind: 'run'; scenario: Scenario } | { kind: 'study'; study: Study };

/** Reads a scenario file: one run, or a study (a file with a `study` key). */
export function readScenarioFile(file: string): ScenarioFile {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(`cannot read scenario ${file}: ${(cause as Error).message}`, { cause });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidInputError(`scenario ${file} must be a YAML mapping`);
  if ('study' in parsed) {
    if (!validateStudy(parsed)) throw new InvalidInputError(`study ${file} is invalid: ${problems(validateStudy.errors)}`);
    // Check the shared keys now rather than an hour into the study.
    toScenario({ ...parsed.base, name: parsed.name }, `${file} base`);
    return { kind: 'study', study: parsed };
  }
  return { kind: 'run', scenario: toScenario(parsed, `scenario ${file}`) };
}

/** Hosts the run holds, and how many their load stands for under time compression. */
export function hostCounts(s: Scenario): { real: number; emulated: number } {
  const real = s.deployment.cells * s.deployment.hosts_per_cell;
  return { real, emulated: Math.round(real * s.timing.compression) };
}

/** The config keys a scenario sets in the deployment: fake-host timings and compressed intervals. */
export function scenarioConfig(s: Scenario): Record<string, Record<string, unknown>> {
  const k = s.timing.compression;
  return {
    compute: {
      report_interval: s.timing.report_interval / k,
      resource_report_interval: s.timing.resource_report_interval / k,
      service_down_time: s.timing.service_down_time / k,
    },
    fake_driver: { ...s.fake },
    quota: { instances: -1, cores: -1, ram: -1 },
    logging: { level: 'warn' },
  };
}
