import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

/** Writes `<name>-<time>.json` (and the HTML report beside it, when given) under ops/loadtest/out/ (or `outDir`). */
export function writeOutput(root: string, name: string, result: unknown, html?: string, outDir = 'ops/loadtest/out'): { json: string; html?: string } {
  const dir = resolve(root, outDir);
  mkdirSync(dir, { recursive: true });
  const base = resolve(dir, `${name}-${stamp()}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  if (html === undefined) return { json: `${base}.json` };
  writeFileSync(`${base}.html`, html);
  return { json: `${base}.json`, html: `${base}.html` };
}
