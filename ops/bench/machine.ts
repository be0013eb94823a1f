import { cpus, totalmem } from 'node:os';

/** One line naming the machine a figure was measured on. */
export function machineDescription(): string {
  const list = cpus();
  const model = list[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${list.length} x ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}
