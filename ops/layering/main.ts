// Checks which way imports run (ops/layering/rules.ts) and that SQL on cell tables stays in
// child-cell/db; exits 1 on any file that breaks a rule.
// Usage: node dist/ops/layering/main.js [repository root, default the current folder]
import { checkLayers, describeViolation } from './check.js';
import { readImportGraph } from './graph.js';
import { cellstackRules } from './rules.js';
import { strayCellStatements } from './sql.js';

const root = process.argv[2] ?? process.cwd();
const graph = readImportGraph(root, ['api-cell', 'child-cell', 'super-conductor', 'ops']);
const violations = checkLayers(graph, cellstackRules);
for (const v of violations) console.error(describeViolation(v));
const stray = strayCellStatements(root, graph);
for (const s of stray) console.error(`${s.file}:${s.line} has SQL on the cell table ${s.table}: put it behind a function of child-cell/db`);
if (violations.length + stray.length > 0) {
  console.error(`layering: ${violations.length} import(s) run the wrong way, ${stray.length} cell statement(s) outside child-cell/db`);
  process.exitCode = 1;
}
