import test from 'ava';
import { InvalidInputError, maskUrl, parseDatabaseUrl, parseTransportUrl, redisTarget } from '../index.js';

test('transport URL - one server is a list of one', (t) => {
  t.deepEqual(parseTransportUrl('nats://10.0.0.2:4222').servers, ['nats://10.0.0.2:4222']);
});

test('transport URL - a cluster names each member after one scheme, each with its credentials', (t) => {
  const url = 'nats://u:p1@10.0.0.2:4222,u:p2@10.0.0.3:4222,10.0.0.4:4223';
  t.deepEqual(parseTransportUrl(url).servers, ['nats://u:p1@10.0.0.2:4222', 'nats://u:p2@10.0.0.3:4222', 'nats://10.0.0.4:4223']);
});

test('transport URL - tls:// names the same servers and says they speak only TLS', (t) => {
  t.deepEqual(parseTransportUrl('tls://10.0.0.2:4222,10.0.0.3:4222'), { servers: ['nats://10.0.0.2:4222', 'nats://10.0.0.3:4222'], tls: true });
  t.false(parseTransportUrl('nats://10.0.0.2:4222').tls);
});

test('transport URL - another scheme, or a member with no host, is refused', (t) => {
  t.throws(() => parseTransportUrl('rabbit://10.0.0.2:5672'), { instanceOf: InvalidInputError, message: /must start with nats:\/\// });
  t.throws(() => parseTransportUrl('nats://10.0.0.2:4222,'), { instanceOf: InvalidInputError, message: /no host/ });
  t.throws(() => parseTransportUrl('nats://10.0.0.2:4222,:4223'), { instanceOf: InvalidInputError });
});

test('masked URL - every member of a server list has its password hidden', (t) => {
  t.is(maskUrl('nats://u:secret@h1:4222,v:other@h2:4222'), 'nats://u:****@h1:4222,v:****@h2:4222');
  t.is(maskUrl('mysql://root:pw@127.0.0.1:3306/db'), 'mysql://root:****@127.0.0.1:3306/db');
  t.is(maskUrl('redis://127.0.0.1:6379/0'), 'redis://127.0.0.1:6379/0');
});

test('Redis URL - one server stays a URL; a Sentinel URL names the Sentinels, the master and the database', (t) => {
  t.is(redisTarget('redis://10.0.0.2:6379/0'), 'redis://10.0.0.2:6379/0');
  const target = redisTarget('redis+sentinel://:pw@10.0.0.2:26379,10.0.0.3/lab/2');
  t.like(target, { sentinels: [{ host: '10.0.0.2', port: 26379 }, { host: '10.0.0.3', port: 26379 }], name: 'lab', db: 2, password: 'pw' });
  t.throws(() => redisTarget('redis+sentinel://10.0.0.2:26379'), { instanceOf: InvalidInputError, message: /<master name>/ });
  t.throws(() => redisTarget('redis+sentinel://10.0.0.2:x/lab'), { instanceOf: InvalidInputError, message: /not host:port/ });
});

test('database URL - a cluster names its servers after one set of credentials, the first first', (t) => {
  const target = parseDatabaseUrl('mysql://u:p%40w@10.0.0.2:3306,10.0.0.3,10.0.0.4:3307/cell1');
  t.like(target, { host: '10.0.0.2', port: 3306, user: 'u', password: 'p@w', database: 'cell1' });
  t.deepEqual(target.members, [{ host: '10.0.0.2', port: 3306 }, { host: '10.0.0.3', port: 3306 }, { host: '10.0.0.4', port: 3307 }]);
  t.deepEqual(parseDatabaseUrl('mysql://root@127.0.0.1/api').members, [{ host: '127.0.0.1', port: 3306 }]);
  t.throws(() => parseDatabaseUrl('mysql://u@10.0.0.2:3306,bad host/cell1'), { instanceOf: InvalidInputError, message: /not host:port/ });
});
