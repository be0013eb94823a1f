import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { InvalidInputError, loadConfig, sampleConfig } from '../index.js';
import { repoRoot } from '../../testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cellstack-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('config - defaults apply with no file', (t) => {
  const config = loadConfig({ env: {} });
  t.is(config.api.listen, '127.0.0.1:8774');
  t.is(config.database.pool_max, 5);
});

test('config - the file overrides defaults and CELLSTACK_* variables override the file', (t) => {
  const path = file('a.yaml', 'api:\n  listen: "0.0.0.0:9000"\ndatabase:\n  pool_max: 9\n');
  const fromFile = loadConfig({ file: path, env: {} });
  t.is(fromFile.api.listen, '0.0.0.0:9000');
  t.is(fromFile.database.pool_max, 9);
  const fromEnv = loadConfig({ env: { CELLSTACK_CONFIG: path, CELLSTACK_DATABASE_POOL_MAX: '12' } });
  t.is(fromEnv.database.pool_max, 12, 'a variable is coerced to the key type');
  t.is(fromEnv.api.listen, '0.0.0.0:9000');
});

test('config - unknown keys, wrong types and broken YAML are refused with the place named', (t) => {
  const unknown = t.throws(() => loadConfig({ file: file('b.yaml', 'api:\n  lisen: x\n'), env: {} }));
  t.true(unknown instanceof InvalidInputError);
  t.regex(unknown?.message ?? '', /api must NOT have additional properties "lisen"/);
  const wrong = t.throws(() => loadConfig({ env: { CELLSTACK_DATABASE_POOL_MAX: 'many' } }));
  t.regex(wrong?.message ?? '', /database\.pool_max must be integer/);
  const broken = t.throws(() => loadConfig({ file: file('c.yaml', 'api: [\n'), env: {} }));
  t.regex(broken?.message ?? '', /is not valid YAML/);
  const missing = t.throws(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} }));
  t.regex(missing?.message ?? '', /cannot read configuration file/);
});

test('config - the documented file ops/config/cellstack.yaml is the sample and loads as the defaults', (t) => {
  const documented = resolve(repoRoot, 'ops/config/cellstack.yaml');
  t.is(readFileSync(documented, 'utf8'), sampleConfig(), 'regenerate it with `ops/bin/cellctl config sample`');
  t.deepEqual(loadConfig({ file: documented, env: {} }), loadConfig({ env: {} }));
});
