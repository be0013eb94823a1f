import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { InvalidInputError, type Config, type Logger } from '../../../ops/runtime/index.js';
import type { VirtDriver } from '../driver.js';
import { QemuDriver } from './driver.js';
import { ImageCache } from './images.js';

/**
 * The QEMU driver of each host of a pool, from the configuration: every host its own folder under
 * qemu.state_dir, all of them sharing one image cache. Refuses to start without QEMU installed.
 */
export function qemuDrivers(config: Config, log: Logger): (host: string) => VirtDriver {
  for (const binary of [config.qemu.binary, 'qemu-img']) {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new InvalidInputError(`compute.driver is qemu but ${binary} does not run here: install it with ops/bin/ensure-qemu`);
    }
  }
  const stateDir = resolve(config.qemu.state_dir);
  const images = new ImageCache(config.qemu.image_cache_dir ? resolve(config.qemu.image_cache_dir) : join(stateDir, 'images'), {
    url: config.qemu.image_url,
    serviceToken: config.placement.service_token,
  });
  return (host) =>
    new QemuDriver({
      host,
      hostDir: join(stateDir, 'hosts', host),
      binary: config.qemu.binary,
      accel: config.qemu.accel,
      images,
      shutdownTimeoutMs: config.qemu.shutdown_timeout * 1000,
      consoleLogBytes: config.qemu.console_log_bytes,
      log: log.child({ host, driver: 'qemu' }),
    });
}
