import type { LayerRule } from './check.js';

const databases = ['ops/runtime-db/', 'api-cell/db/', 'child-cell/db/', 'package:sequelize', 'package:mariadb', 'package:umzug'];

/** What may reach a database in cellstack. */
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
];
