import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CellstackError } from '../../ops/runtime/index.js';

const run = promisify(execFile);
const QEMU_IMG = '/usr/bin/qemu-img';

/** qemu-img failed, or is missing (Debian's qemu-utils; ops/bin/ensure-services installs it). */
export class BackendError extends CellstackError {
  override readonly code: string = 'volume_backend';
}

export type VolumeFormat = 'qcow2' | 'raw';

interface ImageInfo {
  format: string;
  'virtual-size': number;
  'backing-filename'?: string;
}

const GiB = 1024 ** 3;

/**
 * Volumes and snapshots as files in one directory, made and copied with qemu-img: what the QEMU
 * driver attaches. A snapshot is a full copy, so a volume and its snapshots never share a file.
 */
export class FileBackend {
  constructor(
    readonly dir: string,
    readonly format: VolumeFormat,
  ) {}

  volumePath(uuid: string): string {
    return join(this.dir, `volume-${uuid}.${this.format}`);
  }

  snapshotPath(uuid: string): string {
    return join(this.dir, `snapshot-${uuid}.${this.format}`);
  }

  async createBlank(uuid: string, sizeGb: number): Promise<string> {
    const path = this.volumePath(uuid);
    await this.qemuImg(['create', '-q', '-f', this.format, path, `${sizeGb}G`]);
    return path;
  }

  /** A new volume holding a copy of `source` (another volume or a snapshot), grown to `sizeGb`. */
  async createCopy(uuid: string, source: string, sizeGb: number): Promise<string> {
    const path = this.volumePath(uuid);
    await this.convert(source, this.format, path);
    await this.resize(path, sizeGb);
    return path;
  }

  /**
   * A new volume holding an image's bytes: the image file must be what its disk format says and
   * have no backing file (a crafted qcow2 could otherwise make qemu-img read any file here).
   */
  async createFromImage(uuid: string, data: Buffer, diskFormat: string | null, sizeGb: number): Promise<string> {
    await this.ensureDir();
    const staged = join(this.dir, `.image-${uuid}`);
    await writeFile(staged, data);
    try {
      const declared = diskFormat === 'qcow2' ? 'qcow2' : 'raw';
      const info = await this.info(staged, declared === 'raw' ? 'raw' : undefined);
      if (info.format !== declared) throw new BackendError(`image data is ${info.format}, not the ${declared} its disk_format says`);
      if (info['backing-filename']) throw new BackendError('image data names a backing file');
      if (info['virtual-size'] > sizeGb * GiB) throw new BackendError(`image is ${info['virtual-size']} bytes, more than the volume's ${sizeGb} GiB`);
      const path = this.volumePath(uuid);
      await this.convert(staged, declared, path);
      await this.resize(path, sizeGb);
      return path;
    } finally {
      await rm(staged, { force: true });
    }
  }

  async snapshot(volumePath: string, snapshotUuid: string): Promise<string> {
    const path = this.snapshotPath(snapshotUuid);
    await this.convert(volumePath, this.format, path);
    return path;
  }

  async extend(path: string, sizeGb: number): Promise<void> {
    await this.resize(path, sizeGb);
  }

  /** Removes a volume's or snapshot's file; one already gone is fine (a delete run twice). */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async exists(path: string): Promise<boolean> {
    return stat(path).then(() => true, () => false);
  }

  async info(path: string, format?: string): Promise<ImageInfo> {
    const out = await this.qemuImg(['info', '--output=json', ...(format ? ['-f', format] : []), path]);
    return JSON.parse(out) as ImageInfo;
  }

  private async convert(source: string, sourceFormat: string, target: string): Promise<void> {
    await this.ensureDir();
    await this.qemuImg(['convert', '-q', '-f', sourceFormat, '-O', this.format, source, target]);
  }

  private async resize(path: string, sizeGb: number): Promise<void> {
    const info = await this.info(path, this.format);
    if (info['virtual-size'] < sizeGb * GiB) await this.qemuImg(['resize', '-q', '-f', this.format, path, `${sizeGb}G`]);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private async qemuImg(args: string[]): Promise<string> {
    if (args[0] === 'create') await this.ensureDir();
    try {
      const { stdout } = await run(QEMU_IMG, args, { maxBuffer: 4 * 1024 * 1024 });
      return stdout;
    } catch (cause) {
      const detail = (cause as { stderr?: string }).stderr?.trim() || (cause as Error).message;
      throw new BackendError(`qemu-img ${args[0] ?? ''} failed: ${detail}`, { cause });
    }
  }
}
