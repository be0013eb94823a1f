// Import-direction rules that oxlint cannot state (it sees one import, not a chain of them).
export { checkLayers, describeViolation, isTestFile, type LayerRule, type Violation } from './check.js';
export { importSpecifiers, readImportGraph, resolveSpecifier, type ImportGraph } from './graph.js';
export { cellstackRules } from './rules.js';
export { cellTables, strayCellStatements, type StrayStatement } from './sql.js';
