import type { GuestSpec } from '../driver.js';
import type { GuestFiles } from './layout.js';

export type Accel = 'kvm' | 'tcg';

/**
 * The QEMU command line of one guest: the flavor's vCPUs and memory, its overlay on virtio, the
 * serial console in a file, QMP on a unix socket, a pidfile. No display and no network yet
 * (guest networking comes with the network service). `incoming` starts it from saved memory.
 */
export function qemuArgs(spec: GuestSpec, files: GuestFiles, accel: Accel, incoming = false): string[] {
  return [
    '-name', `guest=instance-${spec.uuid},process=qemu-${spec.uuid}`,
    '-uuid', spec.uuid,
    '-machine', `q35,accel=${accel}`,
    '-smp', String(Math.max(1, spec.vcpus)),
    '-m', String(Math.max(64, spec.memory_mb)),
    '-nodefaults',
    '-display', 'none',
    '-chardev', `file,id=serial0,path=${files.console},append=on`,
    '-serial', 'chardev:serial0',
    '-drive', `file=${files.disk},if=virtio,format=qcow2,id=disk0`,
    '-nic', 'none',
    '-qmp', `unix:${files.qmp},server=on,wait=off`,
    '-pidfile', files.pid,
    ...(incoming ? ['-incoming', 'defer'] : []),
  ];
}
