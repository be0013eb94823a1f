import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './services.js';

// Imported by path, not through ops/testing/index.ts: only the files that drive a browser should load playwright-core.
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's chromium with no network of its own beyond the pages it is sent to, and nothing kept between runs. */
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts chromium (installed from Debian's packages by ops/bin/ensure-chromium when missing) with a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  execFileSync(join(repoRoot, 'ops/bin/ensure-chromium'), { stdio: 'inherit' });
  const profile = mkdtempSync(join(tmpdir(), 'cellstack-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: flags, viewport: { width: 1280, height: 800 } });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
