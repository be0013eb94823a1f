import type { LayerRule } from './check.js';

const databases = ['ops/runtime-db/', 'api-cell/db/', 'child-cell/db/', 'package:sequelize', 'package:mariadb', 'package:umzug'];
const processes = ['api-cell/', 'child-cell/', 'super-conductor/'];
/** The operator tools: they import the processes, so the processes must not import them. */
const tools = ['ops/launcher/', 'ops/bench/', 'ops/loadtest/', 'ops/cellctl/', 'ops/chaos/', 'ops/clients/', 'ops/testing/', 'ops/layering/'];

/** Which way imports run in cellstack: tools -> processes -> runtime-db -> runtime. */
export const cellstackRules: LayerRule[] = [
  {
    name: 'hosts-reach-no-database',
    from: ['child-cell/compute/', 'child-cell/virt/', 'child-cell/instance/'],
    forbidden: databases,
    transitive: true,
    exemptTests: true,
    why: 'compute and virt-driver code never touch a database: they ask the cell conductor over the bus (like Nova\'s N307)',
  },
  {
    name: 'runtime-reaches-no-database',
    from: ['ops/runtime/'],
    forbidden: databases,
    transitive: true,
    exemptTests: true,
    why: 'every process loads ops/runtime, hosts too: the database half lives in ops/runtime-db',
  },
  {
    name: 'runtime-below-processes',
    from: ['ops/runtime/', 'ops/runtime-db/'],
    forbidden: [...processes, ...tools],
    transitive: true,
    exemptTests: true,
    why: 'the shared runtime is the bottom layer: it imports no process and no tool',
  },
  {
    name: 'processes-below-tools',
    from: processes,
    forbidden: tools,
    transitive: true,
    exemptTests: true,
    why: 'the operator tools (launcher, bench, loadtest, cellctl, chaos, clients, testing) import the processes, never the other way',
  },
  {
    name: 'api-only-produces-jobs',
    from: ['api-cell/'],
    forbidden: ['super-conductor/', 'super-conductor/queue/worker/'],
    allowed: ['super-conductor/queue/'],
    transitive: true,
    exemptTests: true,
    why: 'the API gives the super-conductor work through the queue producer (super-conductor/queue) only; the worker side (super-conductor/queue/worker) and the pipeline are not its to load',
  },
  {
    name: 'dashboard-through-public-apis',
    from: ['api-cell/dashboard/'],
    forbidden: ['api-cell/', 'child-cell/', 'super-conductor/'],
    allowed: ['api-cell/dashboard/', 'api-cell/cells/index.ts', 'api-cell/db/index.ts'],
    transitive: false,
    exemptTests: true,
    why: 'the dashboard shows what a client sees: it calls the REST APIs, and reads only the cell and host mappings (as cellctl does) to probe each cell',
  },
];
