import test from 'ava';
import { activityOf } from '../activity.js';
import { metricSum, parseTargets } from '../cells/load.js';
import { summarizeCells, type HostRow } from '../fleet.js';
import { escapeHtml, html, jsonBlock, raw } from '../html.js';
import { heatmapData } from '../pages/hosts.js';

const now = Date.parse('2026-12-06T12:10:00Z');
const iso = (secondsAgo: number): string => new Date(now - secondsAgo * 1000).toISOString();

test('dashboard figures - activity buckets boots by the time they went ACTIVE and takes POST->ACTIVE percentiles', (t) => {
  const servers = [
    { id: 'a', name: 'a', status: 'ACTIVE', created: iso(35), 'OS-SRV-USG:launched_at': iso(33) },
    { id: 'b', name: 'b', status: 'ACTIVE', created: iso(36), 'OS-SRV-USG:launched_at': iso(32) },
    { id: 'c', name: 'c', status: 'BUILD', created: iso(5), 'OS-EXT-STS:task_state': 'spawning' },
    { id: 'd', name: 'd', status: 'BUILD', created: iso(1), 'OS-EXT-STS:task_state': null },
    { id: 'e', name: 'e', status: 'ERROR', created: iso(20), updated: iso(19), fault: { message: 'No valid host was found.', created: iso(19) } },
    { id: 'old', name: 'old', status: 'ACTIVE', created: iso(900), 'OS-SRV-USG:launched_at': iso(899) },
  ];
  const a = activityOf(servers, now, 600, 10);
  t.is(a.times.length, 60);
  t.is(a.latency.count, 2, 'the boot outside the window is left out');
  t.is(a.latency.p50, 4);
  t.deepEqual(a.stages, { spawning: 1, queued: 1 });
  t.is(a.bootsPerS.reduce((x, y) => x + y, 0) * 10, 2);
  t.is(a.errors.reduce((x, y) => x + y, 0), 1);
  t.deepEqual(a.recentErrors.map((e) => e.message), ['No valid host was found.']);
});

test('dashboard figures - Prometheus text sums every series of one name, and no other with that prefix', (t) => {
  const text = [
    '# HELP cellstack_conductor_messages_total messages',
    'cellstack_conductor_messages_total{method="a",outcome="ok"} 5',
    'cellstack_conductor_messages_total{method="b",outcome="error"} 2',
    'cellstack_conductor_messages_total_other 100',
    'process_cpu_seconds_total 1.5',
  ].join('\n');
  t.is(metricSum(text, 'cellstack_conductor_messages_total'), 7);
  t.is(metricSum(text, 'process_cpu_seconds_total'), 1.5);
  t.deepEqual([...parseTargets(' cell1=http://h:1/metrics, cell2=http://h:2/metrics ,bad')], [
    ['cell1', 'http://h:1/metrics'],
    ['cell2', 'http://h:2/metrics'],
  ]);
});

const host = (name: string, cell: string, extra: Partial<HostRow> = {}): HostRow => ({
  host: name, cell, zone: 'nova', aggregates: [], state: 'up', disabled: false, forcedDown: false, disabledReason: null, serviceId: name,
  heartbeatAge: 2, vcpus: 16, vcpusUsed: 4, ramMb: 1000, ramUsedMb: 500, diskGb: 100, diskUsedGb: 0, servers: 1, ...extra,
});

test('dashboard figures - cells are summed from their hosts; the heat map gets columns of per-mille use', (t) => {
  const hosts = [host('h10', 'one'), host('h2', 'one', { state: 'down', heartbeatAge: 90 }), host('x1', 'two', { disabled: true, aggregates: ['gpu'] })];
  const probe = { uuid: 'u', name: 'one', disabled: false, state: 'up' as const, bus: { ok: true, ms: 1 }, db: { ok: true, ms: 1 }, downSince: null, checkedAt: now };
  const [one] = summarizeCells([probe], hosts);
  t.deepEqual(one?.hosts, { up: 1, down: 1, disabled: 0, unknown: 0 });
  t.is(one?.instances, 2);
  t.deepEqual(one?.heartbeat, { p50: 90, max: 90 });
  const map = heatmapData(hosts);
  t.deepEqual(map['name'], ['h2', 'h10', 'x1'], 'hosts in cell order, numbers in name order');
  t.deepEqual(map['cpu'], [250, 250, 250]);
  t.deepEqual(map['ram'], [500, 500, 500]);
  t.deepEqual(map['state'], [1, 0, 0]);
  t.deepEqual(map['agg'], [[], [], [0]]);
});

test('dashboard figures - every slot of a page is escaped unless it is markup already', (t) => {
  const name = '<script>alert(1)</script>"';
  t.is(html`<td title="${name}">${name}</td>`.text, `<td title="${escapeHtml(name)}">${escapeHtml(name)}</td>`);
  t.is(html`<p>${raw('<b>x</b>')}${['a', html`<i>b</i>`]}</p>`.text, '<p><b>x</b>a<i>b</i></p>');
  t.is(jsonBlock('d', { name }).text.split('</script>').length, 2, 'JSON in a script block cannot close it early');
});
