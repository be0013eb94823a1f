import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, configKeys, type Config } from './config-schema.js';
import { InvalidInputError } from './errors.js';

export type { Config } from './config-schema.js';

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true });
const validateConfig = ajv.compile<Config>(ConfigSchema);

export interface LoadConfigOptions {
  /** Path of the YAML file; defaults to $CELLSTACK_CONFIG; no file means defaults only. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Values that win over the file and the environment (command-line flags). */
  overrides?: Record<string, Record<string, unknown>>;
}

/** Reads the config the same way in every process: defaults, then the file, then CELLSTACK_* variables. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env['CELLSTACK_CONFIG'];
  const raw: Record<string, Record<string, unknown>> = file ? readConfigFile(file) : {};
  for (const { section, key, env: name } of configKeys()) {
    const value = env[name];
    if (value !== undefined) (raw[section] ??= {})[key] = value;
  }
  for (const [section, values] of Object.entries(options.overrides ?? {})) {
    raw[section] = { ...raw[section], ...values };
  }
  if (!validateConfig(raw)) {
    const problems = (validateConfig.errors ?? []).map((e) => {
      const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'config';
      const extra = 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : '';
      return `${where} ${e.message ?? 'is invalid'}${extra}`;
    });
    throw new InvalidInputError(`configuration${file ? ` in ${file}` : ''} is invalid: ${problems.join('; ')}`);
  }
  return raw as unknown as Config;
}

function readConfigFile(file: string): Record<string, Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InvalidInputError(`cannot read configuration file ${file}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (cause) {
    throw new InvalidInputError(`configuration file ${file} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError(`configuration file ${file} must hold sections of keys`);
  }
  return parsed as Record<string, Record<string, unknown>>;
}

/** The documented configuration file: every key with its description, variable and default. */
export function sampleConfig(): string {
  const lines = [
    '# cellstack configuration. Every key is shown with its default; each can also be set',
    '# with the environment variable named beside it, which wins over this file.',
    '# Processes read the file named by $CELLSTACK_CONFIG (or --config).',
  ];
  let current = '';
  for (const { section, key, env, schema } of configKeys()) {
    if (section !== current) {
      current = section;
      const sectionSchema = ConfigSchema.properties[section as keyof typeof ConfigSchema.properties];
      lines.push('', `# ${String(sectionSchema.description)}`, `${section}:`);
    }
    lines.push(`  # ${String(schema.description)} (${env})`, `  ${key}: ${JSON.stringify(schema.default)}`);
  }
  return `${lines.join('\n')}\n`;
}
