// Checks which way imports run (ops/layering/rules.ts); exits 1 on any file that breaks a rule.
// Usage: node dist/ops/layering/main.js [repository root, default the current folder]
import { checkLayers, describeViolation } from './check.js';
import { readImportGraph } from './graph.js';
import { cellstackRules } from './rules.js';

const root = process.argv[2] ?? process.cwd();
const violations = checkLayers(readImportGraph(root, ['api-cell', 'child-cell', 'super-conductor', 'ops']), cellstackRules);
for (const v of violations) console.error(describeViolation(v));
if (violations.length > 0) {
  console.error(`layering: ${violations.length} import(s) run the wrong way`);
  process.exitCode = 1;
}
