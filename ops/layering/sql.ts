import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTestFile } from './check.js';
import type { ImportGraph } from './graph.js';

/** The tables of a cell database (child-cell/db/migrations). */
export const cellTables = [
  'compute_nodes',
  'console_auth_tokens',
  'instance_actions',
  'instance_actions_events',
  'instance_faults',
  'instance_metadata',
  'instance_system_metadata',
  'instances',
  'migrations',
  'services',
  'tags',
];

/** A SQL statement on a cell table written outside the folder that owns the cell schema. */
export interface StrayStatement {
  file: string;
  line: number;
  table: string;
}

const statement = new RegExp(`\\b(?:FROM|INTO|UPDATE|JOIN)\\s+\`?(${cellTables.join('|')})\\b`, 'g');

/** The processes and the runtime; the operator tools (ops/bench, ops/loadtest) write test rows of their own. */
const checkedFolders = ['api-cell/', 'child-cell/', 'super-conductor/', 'ops/runtime/', 'ops/runtime-db/'];
const owner = 'child-cell/db/';

/** Statements on cell tables outside child-cell/db (test files aside): a cell column changes in one folder only. */
export function strayCellStatements(root: string, graph: ImportGraph, folders = checkedFolders): StrayStatement[] {
  const found: StrayStatement[] = [];
  for (const file of [...graph.keys()].sort()) {
    if (file.startsWith(owner) || isTestFile(file) || !folders.some((f) => file.startsWith(f))) continue;
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(statement)) found.push({ file, line: i + 1, table: m[1] ?? '' });
    });
  }
  return found;
}
