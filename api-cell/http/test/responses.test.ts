import test from 'ava';
import { answerShapeErrors } from '../../../ops/testing/index.js';
import { responseSchemaOf } from '../responses/index.js';

// The check every test deployment's request makes: which schema an answer must fit, and that a
// wrong shape is caught (the checker can fail).

const json = (version?: string) => new Headers({ 'content-type': 'application/json', ...(version ? { 'openstack-api-version': `compute ${version}` } : {}) });
const check = (method: string, path: string, body: unknown, version?: string, status = 200) => answerShapeErrors(method, path, status, json(version), body, JSON.stringify(body));
const links = [{ rel: 'self', href: 'http://api.example/v2.1/flavors/1' }];

test('responses - routes find their schema whatever the id or query; unknown routes have none', (t) => {
  const v = { major: 2, minor: 1 };
  t.truthy(responseSchemaOf('GET', '/v2.1/servers/4b3c1d1e-8d6a-4f5e-9c3b-2a1d0e9f8c7b?x=1', v));
  t.truthy(responseSchemaOf('GET', '/v2.1/flavors/detail?minRam=1', v));
  t.truthy(responseSchemaOf('GET', '/v2.1/os-quota-sets/p1/detail', v));
  t.is(responseSchemaOf('GET', '/v2.1/servers/x/diagnostics', v), undefined, 'before 2.48 each driver has its own keys');
  t.truthy(responseSchemaOf('GET', '/v2.1/servers/x/diagnostics', { major: 2, minor: 48 }));
  t.is(responseSchemaOf('GET', '/v2.1/os-no-such-thing', v), undefined);
  t.is(responseSchemaOf('DELETE', '/v2.1/flavors/1', v), undefined);
  t.truthy(responseSchemaOf('POST', '/v2.1/servers/x/action', v, { 'os-getConsoleOutput': { length: 3 } }), 'a server action by the action sent');
  t.is(responseSchemaOf('POST', '/v2.1/servers/x/action', v, { createImage: { name: 'x' } }), undefined, 'createImage has a body from 2.45 only');
  t.truthy(responseSchemaOf('POST', '/v2.1/servers/x/action', { major: 2, minor: 45 }, { createImage: { name: 'x' } }));
});

test('responses - a stray or missing key, or a key of another microversion, is named', (t) => {
  const flavor = { id: '1', name: 'm1.tiny', links, ram: 512, vcpus: 1, disk: 1, swap: '', 'OS-FLV-EXT-DATA:ephemeral': 0, 'os-flavor-access:is_public': true, 'OS-FLV-DISABLED:disabled': false, rxtx_factor: 1 };
  t.deepEqual(check('GET', '/v2.1/flavors/1', { flavor }), []);
  t.deepEqual(check('GET', '/v2.1/flavors/1', { flavor: { ...flavor, extra: 1 } }), ["/flavor must NOT have additional properties ('extra')"]);
  t.true(check('GET', '/v2.1/flavors/1', { flavor }, '2.55').some((e) => e.includes("'description'")), '2.55 adds description');
  t.true(check('GET', '/v2.1/flavors/1', { flavor: { ...flavor, description: null } }, '2.102').some((e) => e.includes("'rxtx_factor'")), '2.102 drops rxtx_factor');
  t.true(check('GET', '/v2.1/flavors/1', { flavor }, '2.75').some((e) => e.startsWith('/flavor/swap')), 'an empty swap is 0 from 2.75');
  const action = (body: unknown, answer: unknown) => answerShapeErrors('POST', '/v2.1/servers/x/action', 200, json(), answer, JSON.stringify(answer), body);
  t.deepEqual(action({ 'os-getConsoleOutput': {} }, { output: 'login:' }), []);
  t.deepEqual(action({ 'os-getConsoleOutput': {} }, { output: 'login:', lines: 1 }), ["/ must NOT have additional properties ('lines')"]);
  t.deepEqual(action({ rescue: null }, { adminPass: 7 }), ['/adminPass must be string']);
  const limits = check('GET', '/v2.1/limits', { limits: { rate: [], absolute: { maxTotalCores: 20 } } });
  t.true(limits.some((e) => e.includes("'maxTotalInstances'")));
});

test('responses - answers without a body, failed answers and non-JSON bodies are not checked', (t) => {
  t.deepEqual(check('GET', '/v2.1/flavors/1', { itemNotFound: { code: 404, message: 'x' } }, undefined, 404), []);
  t.deepEqual(answerShapeErrors('GET', '/v2.1/flavors/1', 200, new Headers({ 'content-type': 'text/html' }), {}, '<html>'), []);
  t.deepEqual(answerShapeErrors('POST', '/v2.1/servers/x/action', 202, json(), {}, ''), []);
});
