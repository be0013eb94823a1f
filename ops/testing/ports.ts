import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Ports for what tests listen on. Two things made a port picked early taken by the time it was
 * listened on: the kernel hands ports of its ephemeral range to outgoing connections (every
 * database and bus connection takes one), and test files running side by side picked the same
 * port. So ports come from below the ephemeral range, and each is claimed with a file made
 * exclusively, which the claiming process removes when it exits.
 */

const claimDir = join(tmpdir(), 'cellstack-test-ports');
const claimed = new Set<number>();
const staleMs = 6 * 3600_000;
let releaseOnExit = false;

/** The first port of the kernel's ephemeral range (32768 on Linux by default). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const bottom = 10_000;
const top = Math.max(ephemeralLow(), bottom + 2_000);

function holderAlive(file: string): boolean {
  try {
    if (Date.now() - statSync(file).mtimeMs > staleMs) return false;
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes the claim file of `port`, taking over one whose process is gone. */
function claim(port: number): boolean {
  const file = join(claimDir, String(port));
  const make = (): boolean => {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  };
  if (!make()) {
    if (holderAlive(file)) return false;
    rmSync(file, { force: true });
    if (!make()) return false;
  }
  claimed.add(port);
  return true;
}

function release(port: number): void {
  if (claimed.delete(port)) rmSync(join(claimDir, String(port)), { force: true });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** The first of `count` consecutive ports no one listens on, claimed for this process. */
export async function freePortRange(count: number): Promise<number> {
  mkdirSync(claimDir, { recursive: true });
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.once('exit', () => [...claimed].forEach(release));
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = bottom + Math.floor(Math.random() * (top - bottom - count));
    const taken: number[] = [];
    let usable = true;
    for (let port = base; port < base + count && usable; port++) {
      usable = claim(port);
      if (usable) taken.push(port);
      usable &&= await portFree(port);
    }
    if (usable) return base;
    taken.forEach(release);
  }
  throw new Error(`no ${count} consecutive free ports found between ${bottom} and ${top}`);
}

/** A port no one listens on, claimed for this process. */
export const freePort = (): Promise<number> => freePortRange(1);
