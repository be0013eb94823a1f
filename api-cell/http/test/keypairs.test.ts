import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import test from 'ava';
import { execute } from '../../../ops/runtime-db/index.js';
import { fault, TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }] });
});
test.after.always(() => d?.stop());

type Keypair = Record<string, unknown> & { name: string; public_key: string; fingerprint: string };
const mv = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
const call = <T = Record<string, unknown>>(method: string, path: string, body: unknown, caller: object, version: string) =>
  d.request<T>(method, path, body, caller, mv(version));
const create = (keypair: Record<string, unknown>, caller: object = {}, version = '2.1') =>
  call<{ keypair: Keypair & { private_key?: string } }>('POST', '/v2.1/os-keypairs', { keypair }, caller, version);
const admin = { roles: 'admin', user: 'uadmin', project: 'padmin' };

// Keys made with ssh-keygen, with the MD5 fingerprints `ssh-keygen -l -E md5` printed for them.
const keys = {
  ed25519: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAq1fKw7p/r8NwyUeNoNzzRY1OnU/RbzP78nspiP27R7 test-ed25519', '45:bb:7f:26:d8:7c:42:22:0c:68:fb:2e:44:77:59:e0'],
  ecdsa: [
    'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOft/sOmUGq/oUi53wC1f5HmrHCWV/esXwNOdXHyfZ7UuVuSIoDcNinkbYvyb01NosBBZCa/abokhFH/IEG5h9I= test-ecdsa',
    '9c:b4:b5:76:a1:3e:99:7d:73:5b:73:45:32:99:15:7c',
  ],
  rsa: [
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCYyEDzFBJpmvaZ/sZNP14Pa7jWPuFJ3SyhCnmCmigNEe10StqkgLrvmAWpF5LMPe/JwayemsxzngkUrEjqrPFhQ+EejE+a0KHSqdfm2mmy4HNk0dw7c0vn1/IPFxb6sgSli68aCKBcaRoG5lTPHWjsmoRTgCmd62KdUx2iElnRE6SHLJwBbpy1GKg4Y10OnH1m3csCf7RWHpMEwQ6sqIxByTEVY6RXcnFwtw8x33KgD239mox+nnwMuVhs9ijWT9+FDMZB8Mgc7GuWj9gqmYr5Uz+sb196FtbyldiRajrIjEj86UzodlX/dq9RVtJnZWocf5w4invVOaVnpVjQJ7G/YrA9yQhD8UZWb00q1K6L9WstGnGkOjJ2Zgx9jvX3bLdem0ulwVlcm98SPtGXKJAfTpKaKUlV9eEeLDrZRCy2TM6YmbLmjCqPHpCB+n+qlhCoqrvA91mVfE+PQZNi0W53UEsC8W6zWdKef8ZOXxegoRNp+WwjJrLnhk2eEElEIFk= test-rsa',
    'eb:d2:46:6f:8f:04:30:4c:dc:23:83:87:a0:2c:4b:ed',
  ],
} as const;
const certificate = `-----BEGIN CERTIFICATE-----
MIIBeDCCAR+gAwIBAgIUBnbxcKX3bgI1211CJ4u+WJeFL2UwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHZml4dHVyZTAeFw0yNjExMjQwOTUzNTRaFw0zNjExMjEwOTUz
NTRaMBIxEDAOBgNVBAMMB2ZpeHR1cmUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AAS/by9/mAK1uzS24Vf4O19RIPLDUUyMvDj/k1FHg5R+86hU5tw4FY6XrbOy8iQp
Y2Snc37bIAabRxB5tfJmzqm+o1MwUTAdBgNVHQ4EFgQUPjx/pvzC7gljDSo4XM5+
5yngsHwwHwYDVR0jBBgwFoAUPjx/pvzC7gljDSo4XM5+5yngsHwwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAc91WgdFn5Y3+v0bJ4PriTMzknTaSk
2l46w1LWhqftXgIgOk4xOexvkEPgVOJzG9R6jglJ7bzUk8HDSzHPmfQGM/Q=
-----END CERTIFICATE-----
`;

test('keypairs - a generated key pair returns its private key once; the public key is its OpenSSH half', async (t) => {
  const res = await create({ name: 'gen-1' }, { user: 'ugen' });
  t.is(res.status, 200, 'below 2.2 a create is a 200');
  const kp = res.body.keypair;
  t.deepEqual(Object.keys(kp).sort(), ['fingerprint', 'name', 'private_key', 'public_key', 'user_id']);
  t.like(kp, { name: 'gen-1', user_id: 'ugen' });
  t.regex(kp.private_key ?? '', /^-----BEGIN RSA PRIVATE KEY-----\n/);
  t.regex(kp.public_key, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ Generated-by-Nova$/);
  const blob = Buffer.from(kp.public_key.split(' ')[1] ?? '', 'base64');
  t.is(kp.fingerprint, createHash('md5').update(blob).digest('hex').match(/../g)?.join(':') ?? '');
  const privateKey = createPrivateKey(kp.private_key ?? '');
  t.is(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
  const modulus = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).n ?? '', 'base64url');
  t.true(blob.includes(modulus), 'the public key is the private key\'s');

  const shown = await call<{ keypair: Keypair }>('GET', '/v2.1/os-keypairs/gen-1', undefined, { user: 'ugen' }, '2.1');
  t.is(shown.status, 200);
  t.deepEqual(Object.keys(shown.body.keypair).sort(), ['created_at', 'deleted', 'deleted_at', 'fingerprint', 'id', 'name', 'public_key', 'updated_at', 'user_id']);
  t.like(shown.body.keypair, { name: 'gen-1', public_key: kp.public_key, fingerprint: kp.fingerprint, user_id: 'ugen', deleted: false, deleted_at: null, updated_at: null });
  t.is(typeof shown.body.keypair['id'], 'number');
  t.regex(String(shown.body.keypair['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const listed = await call<{ keypairs: { keypair: Keypair }[] }>('GET', '/v2.1/os-keypairs', undefined, { user: 'ugen' }, '2.1');
  t.deepEqual(listed.body, { keypairs: [{ keypair: { name: 'gen-1', public_key: kp.public_key, fingerprint: kp.fingerprint } }] });
});

test('keypairs - 2.2 adds type, answers 201 on create and 204 on delete (202 before)', async (t) => {
  const made = await create({ name: 'typed', public_key: keys.ed25519[0] }, { user: 'utype' }, '2.2');
  t.is(made.status, 201);
  t.deepEqual(made.body.keypair, { name: 'typed', public_key: keys.ed25519[0], fingerprint: keys.ed25519[1], user_id: 'utype', type: 'ssh' });
  t.is((await call<{ keypair: Keypair }>('GET', '/v2.1/os-keypairs/typed', undefined, { user: 'utype' }, '2.2')).body.keypair['type'], 'ssh');
  const listed = await call<{ keypairs: { keypair: Keypair }[] }>('GET', '/v2.1/os-keypairs', undefined, { user: 'utype' }, '2.2');
  t.is(listed.body.keypairs[0]?.keypair['type'], 'ssh');
  fault(t, await create({ name: 'typed-21', type: 'ssh', public_key: keys.ed25519[0] }, { user: 'utype' }, '2.1'), 400, 'badRequest', /'type' was unexpected/);

  const gone = await fetch(`${d.apiUrl}/v2.1/os-keypairs/typed`, { method: 'DELETE', headers: { 'x-user-id': 'utype', 'x-project-id': 'p1', ...mv('2.2') } });
  t.is(gone.status, 204);
  t.is(await gone.text(), '');
  t.is((await create({ name: 'old', public_key: keys.rsa[0] }, { user: 'utype' })).status, 200);
  const old = await fetch(`${d.apiUrl}/v2.1/os-keypairs/old`, { method: 'DELETE', headers: { 'x-user-id': 'utype', 'x-project-id': 'p1' } });
  t.is(old.status, 202);
  t.is(await old.text(), '');
  fault(t, await call('DELETE', '/v2.1/os-keypairs/old', undefined, { user: 'utype' }, '2.2'), 404, 'itemNotFound', /^Keypair old not found for user utype$/);
  fault(t, await call('GET', '/v2.1/os-keypairs/old', undefined, { user: 'utype' }, '2.2'), 404, 'itemNotFound');
});

test('keypairs - imported keys of every ssh type get their MD5 fingerprint; bad keys are a 400', async (t) => {
  for (const [type, [key, fingerprint]] of Object.entries(keys)) {
    const res = await create({ name: `import-${type}`, public_key: key }, { user: 'uimport' });
    t.is(res.status, 200, JSON.stringify(res.body));
    t.is(res.body.keypair.fingerprint, fingerprint, type);
    t.false('private_key' in res.body.keypair);
  }
  const bad = ['', 'not a key', 'ssh-rsa', 'ssh-rsa AAAA', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAq1fKw7p', keys.ed25519[0].replace('ssh-ed25519', 'ssh-rsa'), certificate];
  for (const public_key of bad) {
    fault(t, await create({ name: 'bad-key', public_key }, { user: 'uimport' }), 400, 'badRequest', /^Keypair data is invalid: failed to generate fingerprint$/);
  }
  fault(t, await create({ name: 'bad-x509', type: 'x509', public_key: keys.rsa[0] }, { user: 'uimport' }, '2.2'), 400, 'badRequest', /^Keypair data is invalid: failed to generate X509 fingerprint/);
  const listed = await call<{ keypairs: unknown[] }>('GET', '/v2.1/os-keypairs', undefined, { user: 'uimport' }, '2.1');
  t.is(listed.body.keypairs.length, 3);
});

test('keypairs - x509: an imported certificate has its SHA-1 fingerprint; a generated one comes with a PKCS#12 key', async (t) => {
  const imported = await create({ name: 'cert', type: 'x509', public_key: certificate }, { user: 'ux509' }, '2.2');
  t.is(imported.status, 201);
  t.like(imported.body.keypair, { type: 'x509', fingerprint: 'fe:89:3b:91:8a:26:d6:f2:d7:7b:36:69:ea:6f:e0:21:13:26:a5:e2' });
  const generated = await create({ name: 'winrm', type: 'x509' }, { user: 'ux509' }, '2.2');
  t.is(generated.status, 201);
  const cert = new X509Certificate(generated.body.keypair.public_key);
  t.is(cert.subject, 'CN=ux509');
  t.regex(cert.subjectAltName ?? '', /ux509@localhost/);
  t.is(generated.body.keypair.fingerprint, cert.fingerprint.toLowerCase());
  const p12 = Buffer.from(generated.body.keypair.private_key ?? '', 'base64');
  t.is(p12[0], 0x30, 'a DER sequence');
  t.true(p12.includes(cert.raw), 'the PKCS#12 file carries the certificate');
});

test('keypairs - names follow each microversion; from 2.92 only imports are allowed', async (t) => {
  for (const name of [' lead', 'trail ', 'a/b', 'dot.name', 'at@name', 'x'.repeat(256), '']) {
    fault(t, await create({ name, public_key: keys.rsa[0] }, { user: 'unames' }, '2.91'), 400, 'badRequest', /keypair\/name/);
  }
  t.is((await create({ name: 'with space_and-dash', public_key: keys.rsa[0] }, { user: 'unames' }, '2.91')).status, 201);
  const relaxed = await create({ name: 'me@example.com', public_key: keys.rsa[0] }, { user: 'unames' }, '2.92');
  t.is(relaxed.status, 201);
  t.false('private_key' in relaxed.body.keypair);
  t.is((await call('GET', '/v2.1/os-keypairs/me@example.com', undefined, { user: 'unames' }, '2.92')).status, 200);
  fault(t, await create({ name: 'no-key' }, { user: 'unames' }, '2.92'), 400, 'badRequest', /'public_key' is a required property/);
  fault(t, await create({ name: 'extra', public_key: keys.rsa[0], colour: 'red' }, { user: 'unames' }, '2.92'), 400, 'badRequest', /'colour' was unexpected/);
  fault(t, await call('POST', '/v2.1/os-keypairs', {}, { user: 'unames' }, '2.1'), 400, 'badRequest', /'keypair' is a required property/);
});

test('keypairs - a name is unique per user: 409 for the same user, fine for another', async (t) => {
  t.is((await create({ name: 'shared-name', public_key: keys.rsa[0] }, { user: 'udup1' })).status, 200);
  fault(t, await create({ name: 'shared-name', public_key: keys.ecdsa[0] }, { user: 'udup1' }), 409, 'conflictingRequest', /^Key pair 'shared-name' already exists\.$/);
  t.is((await create({ name: 'shared-name', public_key: keys.rsa[0] }, { user: 'udup2' })).status, 200);
  const other = await call<{ keypairs: { keypair: Keypair }[] }>('GET', '/v2.1/os-keypairs', undefined, { user: 'udup3' }, '2.1');
  t.deepEqual(other.body, { keypairs: [] }, 'users see only their own');
});

test('keypairs - from 2.10 an admin names the user; a member naming another user is refused', async (t) => {
  const made = await create({ name: 'for-other', public_key: keys.rsa[0], user_id: 'utarget' }, admin, '2.10');
  t.is(made.status, 201);
  t.is(made.body.keypair['user_id'], 'utarget');
  const own = await call<{ keypairs: { keypair: Keypair }[] }>('GET', '/v2.1/os-keypairs', undefined, { user: 'utarget' }, '2.10');
  t.deepEqual(own.body.keypairs.map((k) => k.keypair.name), ['for-other']);
  const byAdmin = await call<{ keypairs: { keypair: Keypair }[] }>('GET', '/v2.1/os-keypairs?user_id=utarget', undefined, admin, '2.10');
  t.deepEqual(byAdmin.body.keypairs.map((k) => k.keypair.name), ['for-other']);
  t.is((await call('GET', '/v2.1/os-keypairs/for-other?user_id=utarget', undefined, admin, '2.10')).status, 200);
  t.deepEqual((await call<{ keypairs: unknown[] }>('GET', '/v2.1/os-keypairs?user_id=utarget', undefined, admin, '2.9')).body.keypairs, [], 'ignored before 2.10');

  fault(t, await create({ name: 'sneaky', public_key: keys.rsa[0], user_id: 'utarget' }, { user: 'umember' }, '2.10'), 403, 'forbidden', /os_compute_api:os-keypairs:create/);
  fault(t, await call('GET', '/v2.1/os-keypairs?user_id=utarget', undefined, { user: 'umember' }, '2.10'), 403, 'forbidden', /os-keypairs:index/);
  fault(t, await call('GET', '/v2.1/os-keypairs/for-other?user_id=utarget', undefined, { user: 'umember' }, '2.10'), 403, 'forbidden', /os-keypairs:show/);
  fault(t, await call('DELETE', '/v2.1/os-keypairs/for-other?user_id=utarget', undefined, { user: 'umember' }, '2.10'), 403, 'forbidden', /os-keypairs:delete/);
  t.is((await call('GET', '/v2.1/os-keypairs?user_id=umember', undefined, { user: 'umember' }, '2.10')).status, 200, 'naming oneself is fine');
  fault(t, await create({ name: 'early', public_key: keys.rsa[0], user_id: 'utarget' }, admin, '2.9'), 400, 'badRequest', /'user_id' was unexpected/);

  t.is((await call('DELETE', '/v2.1/os-keypairs/for-other?user_id=utarget', undefined, admin, '2.10')).status, 204);
  fault(t, await call('GET', '/v2.1/os-keypairs/for-other', undefined, { user: 'utarget' }, '2.10'), 404, 'itemNotFound');
});

test('keypairs - from 2.35 the list pages by name with keypairs_links', async (t) => {
  for (const name of ['kp-c', 'kp-a', 'kp-e', 'kp-b', 'kp-d']) t.is((await create({ name, public_key: keys.rsa[0] }, { user: 'upage' })).status, 200);
  const page = (query: string, version = '2.35') =>
    call<{ keypairs: { keypair: Keypair }[]; keypairs_links?: { rel: string; href: string }[] }>('GET', `/v2.1/os-keypairs${query}`, undefined, { user: 'upage' }, version);
  const first = await page('?limit=2');
  t.deepEqual(first.body.keypairs.map((k) => k.keypair.name), ['kp-a', 'kp-b']);
  t.is(first.body.keypairs_links?.[0]?.rel, 'next');
  const next = new URL(first.body.keypairs_links?.[0]?.href ?? '');
  t.is(next.pathname, '/v2.1/os-keypairs');
  t.is(next.searchParams.get('marker'), 'kp-b');
  t.deepEqual((await page(next.search)).body.keypairs.map((k) => k.keypair.name), ['kp-c', 'kp-d']);
  const last = await page('?limit=2&marker=kp-d');
  t.deepEqual(last.body.keypairs.map((k) => k.keypair.name), ['kp-e']);
  t.false('keypairs_links' in last.body);
  t.is((await page('?limit=2', '2.34')).body.keypairs.length, 5, 'no paging before 2.35');
  fault(t, await page('?marker=kp-zzz'), 400, 'badRequest', /Marker kp-zzz could not be found/);
  fault(t, await page('?limit=x'), 400, 'badRequest', /limit/);
  fault(t, await page('?colour=red', '2.75'), 400, 'badRequest', /colour/);
  t.is((await page('?colour=red', '2.74')).status, 200);
  fault(t, await call('GET', '/v2.1/os-keypairs/kp-a?limit=1', undefined, { user: 'upage' }, '2.75'), 400, 'badRequest', /limit/);
});

test('keypairs - key_pairs quota is per user: over it is a 403, a per-user limit wins', async (t) => {
  await d.quota('pquota', { key_pairs: 2 });
  const as = { user: 'uquota', project: 'pquota' };
  t.is((await create({ name: 'q1' }, as)).status, 200);
  t.is((await create({ name: 'q2', public_key: keys.rsa[0] }, as)).status, 200);
  fault(t, await create({ name: 'q3', public_key: keys.rsa[0] }, as), 403, 'forbidden', /^Quota exceeded, too many key pairs\.$/);
  fault(t, await create({ name: 'q3' }, as), 403, 'forbidden', /too many key pairs/);
  t.is((await create({ name: 'q1', public_key: keys.rsa[0] }, { user: 'uquota2', project: 'pquota' })).status, 200, 'another user has its own count');
  t.is((await call('DELETE', '/v2.1/os-keypairs/q1', undefined, as, '2.2')).status, 204);
  t.is((await create({ name: 'q3', public_key: keys.rsa[0] }, as)).status, 200, 'a delete frees room');

  await execute(d.api, "INSERT INTO project_user_quotas (project_id, user_id, resource, hard_limit) VALUES ('pquota', 'uquota', 'key_pairs', 3)");
  t.is((await create({ name: 'q4', public_key: keys.rsa[0] }, as)).status, 200);
  fault(t, await create({ name: 'q5', public_key: keys.rsa[0] }, as), 403, 'forbidden');
  const listed = await call<{ keypairs: unknown[] }>('GET', '/v2.1/os-keypairs', undefined, as, '2.1');
  t.is(listed.body.keypairs.length, 3);
});

test('keypairs - a server boots with a generated key pair by name', async (t) => {
  const as = { user: 'uboot', project: 'pboot' };
  const kp = await create({ name: 'boot-key' }, as, '2.2');
  t.is(kp.status, 201);
  const boot = await d.boot({ key_name: 'boot-key' }, as);
  t.is(boot.status, 202, JSON.stringify(boot.body));
  const server = await d.waitForStatus(boot.body.server.id, ['ACTIVE']);
  t.is(server['key_name'], 'boot-key');
  fault(t, await d.boot({ key_name: 'boot-key' }, { user: 'someone-else', project: 'pboot' }), 400, 'badRequest', /Invalid key_name provided/);
});
