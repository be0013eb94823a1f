import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { VirtError } from '../driver.js';

const run = promisify(execFile);

export interface BaseImage {
  path: string;
  /** What qemu-img found it to be (qcow2, raw, ...), the overlay's backing format. */
  format: string;
  virtualBytes: number;
}

export interface ImageSource {
  /** The image service's base URL (…/image); its `/v2/images/{id}/file` is downloaded. */
  url: string;
  /** Sent as X-Service-Token: the credential services present to the API cell. */
  serviceToken: string;
}

/**
 * Base images, fetched once per machine from the image service and kept (Nova's image cache):
 * downloaded to a temporary name and renamed when whole, so hosts sharing the folder never see half
 * an image; the same image asked for twice at once is downloaded once.
 */
export class ImageCache {
  private readonly fetching = new Map<string, Promise<BaseImage>>();

  constructor(
    private readonly dir: string,
    private readonly source: ImageSource,
  ) {}

  base(imageRef: string): Promise<BaseImage> {
    if (!/^[0-9a-zA-Z-]+$/.test(imageRef)) return Promise.reject(new VirtError(`image reference ${imageRef} is not an image id`));
    let work = this.fetching.get(imageRef);
    if (!work) {
      work = this.fetch(imageRef).finally(() => this.fetching.delete(imageRef));
      this.fetching.set(imageRef, work);
    }
    return work;
  }

  /** Stores a snapshot's data in the image service (the image is queued for it); one stored already counts as done. */
  async store(imageUuid: string, data: Buffer): Promise<void> {
    const res = await fetch(`${this.source.url}/v2/images/${imageUuid}/file`, {
      method: 'PUT',
      headers: { 'x-service-token': this.source.serviceToken, 'content-type': 'application/octet-stream' },
      body: data,
    });
    // 409: the image is active already (this snapshot was asked for again after it was stored).
    if (res.status !== 204 && res.status !== 409) throw new VirtError(`the image service answered ${res.status} to the data of image ${imageUuid}: ${(await res.text()).slice(0, 300)}`);
  }

  private async fetch(imageRef: string): Promise<BaseImage> {
    const path = join(this.dir, imageRef);
    const infoPath = `${path}.json`;
    if (existsSync(path) && existsSync(infoPath)) return JSON.parse(readFileSync(infoPath, 'utf8')) as BaseImage;
    mkdirSync(this.dir, { recursive: true });
    const partial = `${path}.part-${process.pid}-${Date.now()}`;
    try {
      const res = await fetch(`${this.source.url}/v2/images/${imageRef}/file`, { headers: { 'x-service-token': this.source.serviceToken } });
      if (res.status !== 200 || !res.body) throw new VirtError(`the image service answered ${res.status} for the data of image ${imageRef}`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(partial));
      const info = await imageInfo(partial);
      renameSync(partial, path);
      const base: BaseImage = { path, ...info };
      writeFileSync(infoPath, JSON.stringify(base));
      return base;
    } catch (err) {
      rmSync(partial, { force: true });
      if (err instanceof VirtError) throw err;
      throw new VirtError(`could not fetch image ${imageRef}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export async function imageInfo(path: string): Promise<{ format: string; virtualBytes: number }> {
  const { stdout } = await qemuImg(['info', '--output=json', '-U', path]);
  const info = JSON.parse(stdout) as { format: string; 'virtual-size': number };
  return { format: info.format, virtualBytes: info['virtual-size'] };
}

/** A qcow2 overlay on `base`, `sizeGb` big (never smaller than the base). */
export async function createOverlay(base: BaseImage, disk: string, sizeGb: number): Promise<void> {
  const bytes = Math.max(base.virtualBytes, sizeGb * 1024 ** 3);
  await qemuImg(['create', '-q', '-f', 'qcow2', '-F', base.format, '-b', base.path, disk, String(bytes)]);
}

export async function qemuImg(args: string[]): Promise<{ stdout: string }> {
  try {
    return await run('qemu-img', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new VirtError(`qemu-img ${args[0] ?? ''} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}
