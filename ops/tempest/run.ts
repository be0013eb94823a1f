import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { stestrBinary, tempestBinary } from './install.js';
import { parseSubunit, type TestResult } from './subunit.js';

export interface RunRequest {
  workspace: string;
  conf: string;
  /** Regexes, one of which a test id must match (stestr's include list). */
  include: string[];
  concurrency: number;
  /** Stops Tempest after this long (ms); what finished by then is still read. */
  timeoutMs: number;
}

/** Makes a Tempest workspace (`tempest init`, which logs into its working directory) with the given tempest.conf. */
export function makeWorkspace(workspace: string, conf: string): void {
  mkdirSync(workspace, { recursive: true });
  execFileSync(tempestBinary, ['init', workspace], { stdio: 'ignore', cwd: dirname(workspace) });
  writeFileSync(join(workspace, 'etc', 'tempest.conf'), conf);
}

/** Drops the workspace from Tempest's registry (~/.tempest/workspace.yaml); the caller removes its files. */
export function forgetWorkspace(workspace: string): void {
  try {
    execFileSync(tempestBinary, ['workspace', 'remove', '--name', basename(workspace)], { stdio: 'ignore', cwd: dirname(workspace) });
  } catch {
    // Not registered (init failed): nothing to forget.
  }
}

const resultLine = /^\{\d+\} (\S+) \[[\d.]+s\] \.\.\. (ok|FAILED|SKIPPED.*)$/;

/** Runs Tempest in the workspace, printing each test as it ends, and reads the run's subunit stream. */
export async function runTempest(req: RunRequest, say: (line: string) => void): Promise<TestResult[]> {
  makeWorkspace(req.workspace, req.conf);
  const list = join(req.workspace, 'include-list.txt');
  writeFileSync(list, `${req.include.join('\n')}\n`);
  const child = spawn(tempestBinary, ['run', '--include-list', list, '--concurrency', String(req.concurrency)], {
    cwd: req.workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), req.timeoutMs);
  let done = 0;
  const tail: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = resultLine.exec(line);
    if (m) say(`  ${String(++done).padStart(4)} ${(m[2] ?? '').split(':')[0]?.padEnd(7)} ${m[1] ?? ''}`);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearTimeout(timer);
  let stream: Buffer;
  try {
    stream = execFileSync(stestrBinary, ['last', '--subunit'], { cwd: req.workspace, maxBuffer: 1 << 30 });
  } catch (err) {
    throw new Error(`tempest run exited ${code} and left no results:\n${tail.join('\n')}`, { cause: err });
  }
  return parseSubunit(stream);
}
