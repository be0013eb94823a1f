import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';

/**
 * Every configuration key, its default and what it does. `cellctl config sample` prints this
 * as the documented file `ops/config/cellstack.yaml`; a test keeps the two in step.
 */
const str = (value: string, description: string) => Type.String({ default: value, description });
const int = (value: number, description: string, minimum = 0) =>
  Type.Integer({ default: value, description, minimum });
const section = <T extends Record<string, TSchema>>(description: string, properties: T) =>
  Type.Object(properties, { default: {}, description, additionalProperties: false });

export const ConfigSchema = Type.Object(
  {
    api: section('The Compute API process (api-cell).', {
      listen: str('127.0.0.1:8774', 'host:port the Compute API listens on.'),
      public_url: str('', 'Base URL clients reach the API at, used in links; empty means http://<listen>.'),
      max_body_bytes: int(114688, 'Largest request body accepted; larger bodies get 413.', 1024),
    }),
    database: section('The API database, the one global database of a deployment.', {
      api_url: str('mysql://root@127.0.0.1:3306/cellstack_api', 'URL of the API database.'),
      pool_max: int(5, 'Most connections one process keeps open to any one database.', 1),
      connect_timeout_ms: int(3000, 'How long to wait for a database connection before calling it down.', 100),
    }),
    redis: section('Redis, which carries the build queue from the API to the super-conductor.', {
      url: str('redis://127.0.0.1:6379/0', 'URL of the Redis server.'),
      queue_prefix: str('cellstack', 'Prefix of every BullMQ key, so deployments can share a Redis.'),
    }),
    cells: section('How the API cell reaches child cells.', {
      scatter_timeout_ms: int(5000, 'How long a question asked of every cell waits before a cell counts as down.', 100),
    }),
    cell: section('For processes that run inside one child cell (conductor, compute pools).', {
      name: str('', 'Name of the cell, as in its cell mapping.'),
      uuid: str('', 'UUID of the cell; bus subjects are namespaced with it.'),
      database_url: str('', "URL of the cell's own database."),
      transport_url: str('', "URL of the cell's own NATS server."),
    }),
    logging: section('Structured JSON logs on standard output.', {
      level: str('info', 'Lowest level written: trace, debug, info, warn, error or fatal.'),
    }),
    metrics: section('Prometheus metrics.', {
      listen: str('', 'host:port where /metrics is served; empty turns the endpoint off.'),
    }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

export interface ConfigKey {
  section: string;
  key: string;
  env: string;
  schema: TSchema;
}

/** Every leaf key of the schema, with the environment variable that overrides it. */
export function configKeys(): ConfigKey[] {
  const keys: ConfigKey[] = [];
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.properties)) {
    for (const [key, schema] of Object.entries((sectionSchema as TObject).properties)) {
      keys.push({ section, key, env: `CELLSTACK_${section}_${key}`.toUpperCase(), schema });
    }
  }
  return keys;
}
