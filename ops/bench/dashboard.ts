import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { openCellDatabase } from '../../child-cell/db/index.js';
import { down, up } from '../launcher/deployment.js';
import { layoutOf } from '../launcher/layout.js';
import { launchChromium } from '../testing/browser.js';
import { benchOptions, freshDeployment } from './deployment.js';
import { waitForHosts } from './idle.js';
import { machineDescription } from './machine.js';

export interface DashboardFlags {
  hosts: number;
  cells: number;
  keep?: boolean;
}

const HOSTS_PER_POOL = 2500;

/** GET /dashboard/admin/hosts.json from the page, as the heat map does: its time and size. */
async function readHosts(page: Page): Promise<{ ms: number; bytes: number; hosts: number }> {
  return page.evaluate(async () => {
    const started = performance.now();
    const text = await (await fetch('/dashboard/admin/hosts.json')).text();
    return { ms: Math.round(performance.now() - started), bytes: text.length, hosts: (JSON.parse(text) as { name: unknown[] }).name.length };
  });
}

/**
 * The dashboard at `hosts` fake hosts: how long the host list takes through the API (cold, each
 * read after the dashboard's keep window), how long chromium takes to draw the heat map, and
 * how soon an opened cells page has its first server-sent event.
 */
export async function dashboardBench(root: string, flags: DashboardFlags): Promise<void> {
  const options = { ...benchOptions(root, flags.cells, Math.ceil(flags.hosts / flags.cells)), hostsPerPool: HOSTS_PER_POOL, dashboardPort: 18780 };
  await freshDeployment(options);
  console.log(`bringing up ${flags.cells} cells with ${options.hostsPerCell * flags.cells} fake hosts`);
  await up(options, root, '/usr/sbin/nats-server', (line) => console.log(`  ${line}`));
  const layout = layoutOf(options);
  const cells = layout.cells.map((c) => openCellDatabase(c.databaseUrl, { poolMax: 1 }));
  const browser = await launchChromium();
  try {
    await waitForHosts(cells, options.hostsPerCell * flags.cells);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${layout.dashboardUrl}/auth/login`);
    await page.fill('#user', 'admin');
    await page.fill('#password', options.adminPassword);
    await Promise.all([page.waitForURL(/\/admin\/cells/), page.click('button[type=submit]')]);
    const reads = [];
    for (let i = 0; i < 3; i += 1) {
      const read = await readHosts(page);
      reads.push(read);
      // The dashboard keeps a list five times as long as it took to read (3 s at least): wait it out.
      await new Promise((done) => setTimeout(done, Math.max(3500, 6 * read.ms)));
    }
    await page.goto(`${layout.dashboardUrl}/admin/hosts`);
    // Waited for in the DOM: a polled page function would be evaluated in the page, which the dashboard's CSP forbids.
    await page.locator('#draw-time', { hasText: new RegExp(`^Drew ${flags.hosts} hosts`) }).waitFor({ timeout: 120_000 });
    const draws = [Number(await page.evaluate('window.heatmapDrawMs'))];
    for (const metric of ['cpu', 'ram', 'disk', 'max', 'cpu']) {
      draws.push(Number(await page.evaluate(`(() => { const s = document.getElementById('metric'); s.value = '${metric}'; s.dispatchEvent(new Event('change')); return window.heatmapDrawMs; })()`)));
    }
    const opened = Date.now();
    await page.goto(`${layout.dashboardUrl}/admin/cells`);
    await page.locator('#live', { hasText: 'last round' }).waitFor({ timeout: 30_000 });
    const firstEventMs = Date.now() - opened;
    const result = { machine: machineDescription(), date: new Date().toISOString(), flags, reads, drawMs: draws.map((d) => Math.round(d * 10) / 10), firstEventMs };
    console.log(
      [
        '',
        `machine:        ${result.machine}`,
        `date:           ${result.date}`,
        `scenario:       ${flags.hosts} fake hosts in ${flags.cells} cells, the dashboard in Debian's chromium`,
        `hosts.json:     ${reads.map((r) => `${r.ms} ms`).join(', ')} (cold, ${reads[0]?.hosts ?? 0} hosts, ${reads[0]?.bytes ?? 0} bytes)`,
        `heat map draw:  first ${result.drawMs[0]} ms, then ${result.drawMs.slice(1).join(', ')} ms (browser time)`,
        `cells page:     load to first event ${firstEventMs} ms`,
      ].join('\n'),
    );
    const out = resolve(root, 'ops/bench/out');
    mkdirSync(out, { recursive: true });
    const file = resolve(out, `dashboard-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`result:         ${file}`);
  } finally {
    await browser.close();
    await Promise.all(cells.map((c) => c.close()));
    if (!flags.keep) {
      await down(options);
      console.log('benchmark deployment stopped (--keep leaves it running)');
    }
  }
}
