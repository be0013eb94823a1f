import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Machines on one box: a bridge, and per machine a network namespace wired to it by a veth pair. */
export interface MachineNetwork {
  /** The bridge in the box's own namespace; its name encodes the subnet, so creating it claims the subnet. */
  bridge: string;
  /** The /24 the launcher owns, as its first three octets ("10.213.7"). */
  subnet: string;
  /** The bridge's own address: how this box (cellctl, the launcher) reaches every machine. */
  gateway: string;
  machines: NamespaceMachine[];
}

export interface NamespaceMachine {
  name: string;
  namespace: string;
  address: string;
  /** The box's end of the veth pair; the machine's end is its eth0. */
  veth: string;
}

/** Runs `ip` with arguments; its stderr in the error when it fails. */
async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (cause as Error).message}`, { cause });
  }
}

/** Is any address or route of this box's namespace inside 10.a.b.0/24? */
async function subnetUsed(subnet: string): Promise<boolean> {
  const [addresses, routes] = await Promise.all([ip('-4', '-o', 'addr', 'show'), ip('-4', 'route', 'show', 'table', 'all')]);
  const inside = (cidr: string): boolean => overlaps(cidr, `${subnet}.0/24`);
  const addrCidrs = [...addresses.matchAll(/inet (\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1] ?? '');
  const routeCidrs = routes.split('\n').map((line) => line.split(/\s+/).find((w) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(w)) ?? '');
  return [...addrCidrs, ...routeCidrs].filter(Boolean).some(inside);
}

const toInt = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** Do two IPv4 networks (a.b.c.d/n) share an address? */
export function overlaps(a: string, b: string): boolean {
  const [aAddr = '', aBits = '32'] = a.split('/');
  const [bAddr = '', bBits = '32'] = b.split('/');
  const bits = Math.min(Number(aBits), Number(bBits));
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((toInt(aAddr) & mask) >>> 0) === ((toInt(bAddr) & mask) >>> 0);
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');
const bridgeOf = (subnet: string): string => {
  const [, b = 0, c = 0] = subnet.split('.').map(Number);
  return `csbr${hex(b)}${hex(c)}`;
};

/**
 * Creates the bridge of a /24 of 10.0.0.0/8 that nothing on this box uses, and claims it: the
 * bridge's name is made from the subnet, so two deployments (or test files) picking the same
 * one at once cannot both create it. `wanted` ("10.213.7") pins the subnet.
 */
async function claimSubnet(wanted: string | undefined): Promise<{ subnet: string; bridge: string }> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const subnet = wanted ?? `10.${randomInt(160, 250)}.${randomInt(0, 256)}`;
    if (await subnetUsed(subnet)) {
      if (wanted) throw new Error(`subnet ${wanted}.0/24 is already used on this machine; pick another or leave network.subnet out`);
      continue;
    }
    const bridge = bridgeOf(subnet);
    try {
      await ip('link', 'add', bridge, 'type', 'bridge');
    } catch (err) {
      if (wanted) throw err;
      continue;
    }
    return { subnet, bridge };
  }
  throw new Error('found no unused /24 in 10.160.0.0-10.249.255.255 for the machines');
}

/**
 * Makes `names` machines: a namespace each (`cs<subnet in hex>-<name>`) with one address on the bridge,
 * no default route (a machine reaches the other machines and this box, nothing else).
 * On any failure everything made so far is removed again.
 */
export async function createMachines(names: string[], wanted?: string): Promise<MachineNetwork> {
  const { subnet, bridge } = await claimSubnet(wanted);
  const network: MachineNetwork = { bridge, subnet, gateway: `${subnet}.1`, machines: [] };
  try {
    await ip('addr', 'add', `${network.gateway}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (const [i, name] of names.entries()) {
      const machine = { name, namespace: `${bridge.replace('csbr', 'cs')}-${name}`, address: `${subnet}.${i + 2}`, veth: `${bridge.replace('csbr', 'csv')}v${i}` };
      await ip('netns', 'add', machine.namespace);
      network.machines.push(machine);
      await ip('link', 'add', machine.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', machine.namespace);
      await ip('link', 'set', machine.veth, 'master', bridge, 'up');
      await ip('-n', machine.namespace, 'addr', 'add', `${machine.address}/24`, 'dev', 'eth0');
      await ip('-n', machine.namespace, 'link', 'set', 'eth0', 'up');
      await ip('-n', machine.namespace, 'link', 'set', 'lo', 'up');
    }
    return network;
  } catch (err) {
    await removeMachines(network);
    throw err;
  }
}

/** Pids of the processes inside a namespace (all started there by the launcher: nothing else enters it). */
export async function pidsIn(namespace: string): Promise<number[]> {
  const out = await ip('netns', 'pids', namespace).catch(() => '');
  return out.split(/\s+/).filter(Boolean).map(Number);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Kills what is left in each namespace and waits for it to end (a namespace lasts while a process
 * is in it), then deletes the veths, the namespaces and the bridge.
 */
export async function removeMachines(network: MachineNetwork): Promise<void> {
  const left = (await Promise.all(network.machines.map((m) => pidsIn(m.namespace)))).flat();
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const deadline = Date.now() + 10_000;
  while (left.some(alive) && Date.now() < deadline) await delay(50);
  for (const machine of network.machines) {
    await ip('link', 'del', machine.veth).catch(() => undefined);
    await ip('netns', 'del', machine.namespace).catch(() => undefined);
  }
  await ip('link', 'del', network.bridge).catch(() => undefined);
}
