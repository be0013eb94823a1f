import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian 12 ships Tempest 1:33.0.0 as these two packages; stestr and subunit come with them. */
const packages = ['tempest', 'python3-tempest'];
export const tempestBinary = '/usr/bin/tempest';
export const stestrBinary = '/usr/bin/stestr';

/** Installs Debian's Tempest when it is missing (as root, or through sudo). */
export function ensureTempest(say: (line: string) => void): void {
  if (existsSync(tempestBinary) && existsSync(stestrBinary)) return;
  say(`installing ${packages.join(' ')} from Debian's packages`);
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]): void => {
    const [command, ...rest] = asRoot ? args : ['sudo', ...args];
    execFileSync(command ?? 'apt-get', rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...packages]);
  if (!existsSync(tempestBinary)) throw new Error(`${tempestBinary} is still missing after installing ${packages.join(' ')}`);
}
