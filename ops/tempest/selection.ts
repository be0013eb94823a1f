import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every test of Tempest's compute API suite. */
export const fullSuite = ['^tempest\\.api\\.compute\\.'];

/** The regexes of a selection file (`ops/tempest/<name>-selection.txt`): one a line, `#` starts a comment. */
export function readSelection(dir: string, name: string): string[] {
  const lines = readFileSync(join(dir, `${name}-selection.txt`), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
  if (lines.length === 0) throw new Error(`selection ${name} lists no tests`);
  return lines;
}
