import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { portAnswers } from '../launcher/plan.js';
import type { ProcessSpec } from '../launcher/processes.js';

const run = promisify(execFile);

/** One member of an engine's cluster as the plan places it: a machine's address and a port there. */
export interface Endpoint {
  machine: string;
  address: string;
  port: number;
}

export interface EngineDirs {
  stateDir: string;
  runDir: string;
}

/** One nats-server of a cell's bus, and the others of its cluster (routes go to each). */
export interface NatsMember {
  name: string;
  cluster: string;
  self: Endpoint & { clusterPort: number };
  peers: (Endpoint & { clusterPort: number })[];
}

const natsConf = (name: string, dirs: EngineDirs): string => resolve(dirs.stateDir, 'nats', `${name}.conf`);

/** A nats-server member, its settings in a config file under the state dir (its path on the command line marks it ours). */
export function natsSpec(member: NatsMember, dirs: EngineDirs, binary: string): ProcessSpec {
  return { name: member.name, command: binary, args: ['-c', natsConf(member.name, dirs)], ready: () => portAnswers(member.self.address, member.self.port) };
}

/**
 * Writes a member's config: it listens on its machine's address; with peers, it is a member of a
 * cluster with a route to each. With a certificate (certificate and key in one PEM, from the
 * deployment CA) clients must speak TLS to it, and routes are TLS both ways, each side checking
 * the other's certificate against the CA.
 */
export function prepareNats(member: NatsMember, dirs: EngineDirs, tls?: { certificate: string; caFile: string }): void {
  const { self, peers, cluster } = member;
  const file = natsConf(member.name, dirs);
  mkdirSync(resolve(file, '..'), { recursive: true, mode: 0o700 });
  const tlsBlock = (verify: boolean): string[] =>
    tls ? [`  tls {`, `    cert_file: "${tls.certificate}"`, `    key_file: "${tls.certificate}"`, `    ca_file: "${tls.caFile}"`, `    verify: ${String(verify)}`, '    timeout: 5', '  }'] : [];
  const lines = [
    `server_name: "${cluster}-${self.machine}"`,
    `listen: "${self.address}:${self.port}"`,
    `pid_file: "${resolve(dirs.runDir, `${member.name}.server.pid`)}"`,
    ...(tls ? ['tls {', ...tlsBlock(false).slice(1, -1).map((l) => l.slice(2)), '}'] : []),
  ];
  if (peers.length > 0) {
    lines.push(
      'cluster {',
      `  name: "${cluster}"`,
      `  listen: "${self.address}:${self.clusterPort}"`,
      `  routes: [${peers.map((p) => `"nats://${p.address}:${p.clusterPort}"`).join(', ')}]`,
      ...tlsBlock(true),
      '}',
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** The account every cellstack process uses on the deployment's own MariaDB servers. */
export interface DatabaseAccount {
  user: string;
  password: string;
}

/** A Galera member's own ports: group communication, incremental and full state transfer. */
export interface GaleraPorts {
  group: number;
  ist: number;
  sst: number;
}

/** What makes a MariaDB server a member of a Galera cluster. */
export interface GaleraMember {
  cluster: string;
  self: GaleraPorts;
  /** Every member's address and group port, this one's included. */
  members: (Endpoint & { group: number })[];
}

/** A MariaDB server's option file, under the state dir (its path on the command line marks it ours). */
const mariadbConf = (name: string, dirs: EngineDirs): string => resolve(dirs.stateDir, 'mariadb', `${name}.cnf`);

/**
 * A MariaDB server of the deployment's own, its settings in an option file (mariadbSettings) so
 * a Galera state transfer's mariadb-backup reads the same ones.
 */
export function mariadbSpec(name: string, self: Endpoint, dirs: EngineDirs): ProcessSpec {
  return {
    name,
    command: '/usr/sbin/mariadbd',
    args: [`--defaults-file=${mariadbConf(name, dirs)}`],
    ready: () => portAnswers(self.address, self.port),
  };
}

/**
 * A server's settings: its data under the state dir; with `galera`, a member of a Galera cluster
 * (Debian's galera-4). Its init file (run at every start, owner-only) gives the deployment's
 * account access from the other machines.
 */
export function mariadbSettings(name: string, self: Endpoint, dirs: EngineDirs, galera?: GaleraMember): string[] {
  const datadir = resolve(dirs.stateDir, 'mariadb', name);
  return [
    `datadir=${datadir}`, `socket=${datadir}/mysqld.sock`, `pid-file=${datadir}/mariadbd.pid`,
    `bind-address=${self.address}`, `port=${self.port}`, 'user=root', `init-file=${resolve(dirs.stateDir, 'mariadb', `${name}-init.sql`)}`,
    'skip-name-resolve', 'innodb-buffer-pool-size=64M', 'max-connections=500', 'skip-log-bin',
    'character-set-server=utf8mb4', 'collation-server=utf8mb4_bin',
    ...(galera ? galeraSettings(self, galera) : []),
  ];
}

/** The wsrep settings of one member: every address its own, mariadb-backup for full state transfers. */
function galeraSettings(self: Endpoint, galera: GaleraMember): string[] {
  const { address } = self;
  const provider = [`gmcast.listen_addr=tcp://${address}:${galera.self.group}`, `ist.recv_addr=${address}:${galera.self.ist}`, 'gcache.size=64M'];
  return [
    'wsrep-on=ON', 'wsrep-provider=/usr/lib/galera/libgalera_smm.so',
    `wsrep-cluster-name=${galera.cluster}`,
    `wsrep-cluster-address=gcomm://${galera.members.map((m) => `${m.address}:${m.group}`).join(',')}`,
    `wsrep-node-name=${self.machine}`, `wsrep-node-address=${address}:${galera.self.group}`,
    // mariadb-backup streams the copy over socat as this server's own user; rsync's daemon would
    // drop root for nobody and could not write the owner-only data directory.
    `wsrep-sst-receive-address=${address}:${galera.self.sst}`, 'wsrep-sst-method=mariabackup',
    `wsrep-provider-options="${provider.join(';')}"`,
    // What Galera needs of InnoDB: row events, interleaved auto-increment locks.
    'binlog-format=ROW', 'default-storage-engine=InnoDB', 'innodb-autoinc-lock-mode=2',
  ];
}

/**
 * Which member of a Galera cluster starts a new cluster (`--wsrep-new-cluster`): the first while
 * no member has data; after a clean stop of all, the one Galera marked safe to bootstrap from.
 * Undefined when some member's data is there but none is safe: an operator decides (docs/multi-machine.md).
 */
export function bootstrapMember(names: string[], dirs: EngineDirs): string | undefined {
  const grastate = (name: string): string | undefined => {
    try {
      return readFileSync(resolve(dirs.stateDir, 'mariadb', name, 'grastate.dat'), 'utf8');
    } catch {
      return undefined;
    }
  };
  const states = names.map((name) => ({ name, state: grastate(name) }));
  if (states.every((s) => s.state === undefined)) return names[0];
  return states.find((s) => /^safe_to_bootstrap:\s*1/m.test(s.state ?? ''))?.name;
}

/**
 * Makes a MariaDB server's data directory (mariadb-install-db) unless it exists or `create` is
 * false (it is made on its own machine), and writes its option file and init file, all owner-only.
 */
export async function prepareMariadb(name: string, account: DatabaseAccount, dirs: EngineDirs, settings: string[], create = true): Promise<boolean> {
  const datadir = resolve(dirs.stateDir, 'mariadb', name);
  const quoted = account.password.replace(/'/g, "''");
  const sql = [
    `CREATE USER IF NOT EXISTS '${account.user}'@'%' IDENTIFIED BY '${quoted}';`,
    `ALTER USER '${account.user}'@'%' IDENTIFIED BY '${quoted}';`,
    `GRANT ALL PRIVILEGES ON *.* TO '${account.user}'@'%' WITH GRANT OPTION;`,
    '',
  ].join('\n');
  mkdirSync(resolve(dirs.stateDir, 'mariadb'), { recursive: true, mode: 0o700 });
  writeFileSync(resolve(dirs.stateDir, 'mariadb', `${name}-init.sql`), sql, { mode: 0o600 });
  writeFileSync(mariadbConf(name, dirs), `[mysqld]\n${settings.join('\n')}\n`, { mode: 0o600 });
  if (!create || existsSync(resolve(datadir, 'mysql'))) return false;
  mkdirSync(datadir, { recursive: true, mode: 0o700 });
  const [command = '', ...args] = installDatabase(name, dirs);
  await run(command, args, { timeout: 120_000 });
  return true;
}

/** The command that makes a server's empty data directory (root reaches it only through the socket). */
export function installDatabase(name: string, dirs: EngineDirs): string[] {
  const datadir = resolve(dirs.stateDir, 'mariadb', name);
  return ['mariadb-install-db', '--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'];
}

/**
 * A Redis server with no persistence (the database is the truth; the reaper refills the queue),
 * or a Sentinel. Its process title names its config file, under the state dir, so `down` knows
 * it is ours. Sentinels run Debian's redis-server in sentinel mode (what redis-sentinel is).
 */
export function redisSpec(name: string, self: Endpoint, dirs: EngineDirs, sentinel = false): ProcessSpec {
  return {
    name,
    command: '/usr/bin/redis-server',
    args: [redisConf(name, dirs), ...(sentinel ? ['--sentinel'] : [])],
    ready: () => portAnswers(self.address, self.port),
  };
}

const redisConf = (name: string, dirs: EngineDirs): string => resolve(dirs.stateDir, 'redis', name, 'redis.conf');

/** What a Redis replica follows, or what Sentinels watch: the master's address and its name. */
export interface RedisMaster {
  name: string;
  endpoint: Endpoint;
  /** Sentinels that must agree the master is down before one fails it over. */
  quorum: number;
  downAfterMs: number;
}

/**
 * Writes a Redis server's config file (its directory owner-only): a master, a replica of
 * `follows`, or (with `watches`) a Sentinel. Sentinels rewrite theirs as they learn.
 */
export function prepareRedis(name: string, self: Endpoint, dirs: EngineDirs, role: { follows?: RedisMaster; watches?: RedisMaster }): void {
  const conf = redisConf(name, dirs);
  const dir = resolve(conf, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lines = [
    `bind ${self.address}`, `port ${self.port}`, 'protected-mode no', `dir ${dir}`, 'daemonize no',
    `pidfile ${resolve(dirs.runDir, `${name}.server.pid`)}`, 'proc-title-template "{title} {listen-addr} {config-file}"',
  ];
  const { follows, watches } = role;
  if (watches) {
    const m = watches.name;
    lines.push(
      `sentinel monitor ${m} ${watches.endpoint.address} ${watches.endpoint.port} ${watches.quorum}`,
      `sentinel down-after-milliseconds ${m} ${watches.downAfterMs}`,
      `sentinel failover-timeout ${m} ${Math.max(10_000, watches.downAfterMs * 3)}`,
      `sentinel parallel-syncs ${m} 1`,
    );
  } else {
    lines.push('save ""', 'appendonly no');
    if (follows) lines.push(`replicaof ${follows.endpoint.address} ${follows.endpoint.port}`);
  }
  writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
}

const haproxyConf = (name: string, dirs: EngineDirs): string => resolve(dirs.stateDir, 'haproxy', `${name}.cfg`);

/** HAProxy (Debian's) in front of the API processes, in the foreground; its config path marks it ours. */
export function haproxySpec(name: string, self: Endpoint, dirs: EngineDirs): ProcessSpec {
  return {
    name,
    command: '/usr/sbin/haproxy',
    args: ['-db', '-f', haproxyConf(name, dirs), '-p', resolve(dirs.runDir, `${name}.server.pid`)],
    ready: () => portAnswers(self.address, self.port),
  };
}

/**
 * Writes HAProxy's config: one frontend on the balancer's address, every API process a backend
 * server checked on /healthcheck each second; a server that fails twice takes no requests until
 * it answers again, and a request whose connection failed is sent to another. With a certificate
 * (certificate and key in one PEM) it serves HTTPS.
 */
export function prepareHaproxy(name: string, self: Endpoint, backends: Endpoint[], dirs: EngineDirs, certificate?: string): void {
  const conf = haproxyConf(name, dirs);
  mkdirSync(resolve(conf, '..'), { recursive: true, mode: 0o700 });
  const lines = [
    'global', '  maxconn 4096',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s', '  retries 3', '  option redispatch',
    'frontend api', `  bind ${self.address}:${self.port}${certificate ? ` ssl crt ${certificate}` : ''}`, '  default_backend api',
    'backend api', '  balance roundrobin', '  option httpchk GET /healthcheck', '  http-check expect status 200',
    ...backends.map((b) => `  server ${b.machine} ${b.address}:${b.port} check inter 1s fall 2 rise 1`),
    '',
  ];
  writeFileSync(conf, lines.join('\n'), { mode: 0o600 });
}
