import { accessSync, constants, existsSync } from 'node:fs';
import type { Accel } from './command.js';

export interface AccelChoice {
  accel: Accel;
  why: string;
}

/**
 * KVM when /dev/kvm can be opened and its module runs ordinary guests, TCG otherwise. kvm-pvm
 * (a paravirtual KVM for machines without VMX/SVM) answers QMP query-kvm "enabled" yet runs only
 * PVM-aware guest kernels: a stock Debian kernel hangs in its decompressor, so it counts as no KVM.
 */
export function chooseAccel(wanted: 'auto' | Accel): AccelChoice {
  if (wanted !== 'auto') return { accel: wanted, why: `qemu.accel is ${wanted}` };
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', why: '/dev/kvm cannot be opened' };
  }
  if (existsSync('/sys/module/kvm_pvm')) return { accel: 'tcg', why: 'the KVM here is kvm-pvm, which runs only PVM-aware guest kernels' };
  return { accel: 'kvm', why: '/dev/kvm opens' };
}
