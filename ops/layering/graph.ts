import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Every TypeScript file under the roots, by repo path (forward slashes), with what it imports: repo
 * paths like `ops/runtime/index.ts`, or `package:NAME`. Type-only imports count like any other.
 */
export type ImportGraph = Map<string, string[]>;

// The code is written to one style (ES modules, one statement per import), so three patterns
// find every import: import or export with a from clause, a bare import, a dynamic import call.
// (TypeScript 7's compiler has no JavaScript API to ask instead.)
const fromClause = /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const bareImport = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const dynamicImport = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The specifiers a source text imports. */
export function importSpecifiers(source: string): string[] {
  return [
    ...[...source.matchAll(fromClause)].map((m) => m[1] ?? ''),
    ...[...source.matchAll(bareImport)].map((m) => m[1] ?? ''),
    ...[...source.matchAll(dynamicImport)].map((m) => m[1] ?? ''),
  ];
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Where a specifier written in `file` points: a repo path, `package:NAME`, or null for Node's own modules. */
export function resolveSpecifier(root: string, file: string, specifier: string): string | null {
  if (specifier.startsWith('node:')) return null;
  if (!specifier.startsWith('.')) return `package:${packageName(specifier)}`;
  const absolute = resolve(root, dirname(file), specifier);
  const candidates = [absolute.replace(/\.js$/, '.ts'), absolute, `${absolute}.ts`, join(absolute, 'index.ts')];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? absolute;
  return relative(root, hit).split(sep).join('/');
}

function sourceFiles(root: string, folder: string, out: string[]): void {
  const dir = join(root, folder);
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) sourceFiles(root, path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
}

/** Reads every `.ts` file under `folders` of `root` and what each imports. */
export function readImportGraph(root: string, folders: string[]): ImportGraph {
  const files: string[] = [];
  for (const folder of folders) sourceFiles(root, folder, files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(join(root, file), 'utf8')).map((s) => resolveSpecifier(root, file, s));
    graph.set(file, targets.filter((t) => t !== null));
  }
  return graph;
}
