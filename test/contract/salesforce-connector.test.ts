/**
 * Contract tests for the Salesforce connector, against the in-repo emulator over real HTTP and, when
 * CONCORD_TEST_SF_LOGIN_URL / _CLIENT_ID / _CLIENT_SECRET are set, against a real org for the cases that need
 * no admin powers (seeding, fault injection, token revocation).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { ConcordError } from '../../src/core/errors.js';
import {
  buildSoql,
  createSalesforceConnector,
  type SalesforceConnectorOptions,
} from '../../src/connectors/salesforce/index.js';
import { EMULATOR_ONLY, REAL_ORG as REAL } from '../support/real-org.js';
import {
  createSalesforceEmulator,
  type SalesforceEmulatorOptions,
  INTEGRATION_USERNAME,
} from '../../src/emulators/salesforce/index.js';

async function emulated(t: TestContext, options: SalesforceEmulatorOptions = {}) {
  const emulator = createSalesforceEmulator(options);
  const server = await emulator.listen(0);
  t.after(() => server.close());
  const connectorFor = (extra: Partial<SalesforceConnectorOptions> = {}) =>
    createSalesforceConnector({
      loginUrl: server.url,
      auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
      ...extra,
    });
  return { emulator, admin: emulator.admin, url: server.url, sf: connectorFor(), connectorFor };
}

async function rejection(promise: Promise<unknown>): Promise<ConcordError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConcordError, `expected ConcordError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'concord-sandbox',
      client_secret: 'sandbox-secret',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('salesforce connector: real org or emulator', () => {
  async function target(t: TestContext) {
    if (REAL) {
      return createSalesforceConnector({
        loginUrl: REAL.loginUrl,
        auth: { flow: 'client_credentials', clientId: REAL.clientId, clientSecret: REAL.clientSecret },
      });
    }
    return (await emulated(t)).sf;
  }

  test('client credentials: connect reports org, user and instance', async (t) => {
    const sf = await target(t);
    const me = await sf.connect();
    assert.match(me.orgId, /^00D[A-Za-z0-9]{15}$/);
    assert.match(me.userId, /^005[A-Za-z0-9]{15}$/);
    assert.deepEqual(sf.identity(), { orgId: me.orgId, userId: me.userId });
  });

  test('describe maps requiredOnCreate, externalId and unique', async (t) => {
    const sf = await target(t);
    const contact = await sf.describe('Contact');
    const field = (name: string) => contact.fields.find((f) => f.name === name);
    assert.equal(field('LastName')?.requiredOnCreate, true);
    assert.equal(field('Email')?.requiredOnCreate, false);
    assert.equal(field('Id')?.requiredOnCreate, false);
    assert.equal(field('Auth0_User_Id__c')?.externalId, true);
    assert.equal(field('Auth0_User_Id__c')?.unique, true);
    const lead = await sf.describe('Lead');
    assert.equal(
      lead.fields.find((f) => f.name === 'Status')?.requiredOnCreate,
      false,
      'Status is defaulted',
    );
    assert.equal(lead.fields.find((f) => f.name === 'Company')?.requiredOnCreate, true);
  });

  test('limits and Sforce-Limit-Info', async (t) => {
    const sf = await target(t);
    assert.equal(sf.apiUsage(), undefined);
    const limits = await sf.limits();
    assert.ok(limits.dailyApiRequests.max > 0);
    const usage = sf.apiUsage();
    assert.ok(usage && usage.limit === limits.dailyApiRequests.max && usage.used > 0);
  });

  test('unknown field and unknown object are invalid_request, not retryable', async (t) => {
    const sf = await target(t);
    const field = await rejection(sf.find({ object: 'Contact', fields: ['Id', 'Foo__c'], where: [] }));
    assert.equal(field.code, 'invalid_request');
    assert.equal(field.vendorCode, 'INVALID_FIELD');
    assert.equal(field.retryable, false);
    const type = await rejection(sf.find({ object: 'Nope__c', fields: ['Id'], where: [] }));
    assert.equal(type.vendorCode, 'INVALID_TYPE');
  });

  test('find with no match returns an empty list', async (t) => {
    const sf = await target(t);
    const rows = await sf.find({
      object: 'Contact',
      fields: ['Id'],
      where: [{ field: 'Email', op: '=', value: `nobody-${Date.now()}@concord.invalid` }],
    });
    assert.deepEqual(rows, []);
  });
});

describe('salesforce connector against the emulator', { skip: EMULATOR_ONLY }, () => {
  test('JWT bearer with a certificate key pair; wrong key is a non-retryable auth error', async (t) => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = (k: typeof publicKey, type: 'spki' | 'pkcs8') => k.export({ type, format: 'pem' }).toString();
    const { connectorFor, admin } = await emulated(t, {
      clients: [{ clientId: 'jwt-app', certificatePem: pem(publicKey, 'spki') }],
    });
    const sf = connectorFor({
      auth: {
        flow: 'jwt_bearer',
        clientId: 'jwt-app',
        username: INTEGRATION_USERNAME,
        privateKeyPem: pem(privateKey, 'pkcs8'),
      },
    });
    const me = await sf.connect();
    assert.equal(me.userId, admin.identity().integrationUserId);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const bad = connectorFor({
      auth: {
        flow: 'jwt_bearer',
        clientId: 'jwt-app',
        username: INTEGRATION_USERNAME,
        privateKeyPem: pem(other, 'pkcs8'),
      },
    });
    const error = await rejection(bad.connect());
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
    assert.equal(error.vendorCode, 'invalid_grant');
    assert.match(error.message, /certificate/);

    const unknownUser = connectorFor({
      auth: {
        flow: 'jwt_bearer',
        clientId: 'jwt-app',
        username: 'ghost@example.com',
        privateKeyPem: pem(privateKey, 'pkcs8'),
      },
    });
    assert.equal((await rejection(unknownUser.connect())).vendorCode, 'invalid_grant');
  });

  test('client credentials with a wrong secret: auth, non-retryable, tells what to check', async (t) => {
    const { connectorFor } = await emulated(t);
    const sf = connectorFor({
      auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'nope' },
    });
    const error = await rejection(sf.connect());
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
    assert.equal(error.vendorCode, 'invalid_client');
    assert.match(error.message, /secret/);
  });

  test('token response has no expires_in and an id URL naming org and user', async (t) => {
    const { url, admin } = await emulated(t);
    const res = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('concord-sandbox:sandbox-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const body = (await res.json()) as Record<string, string>;
    assert.equal(res.status, 200);
    assert.equal(body['expires_in'], undefined);
    assert.match(body['access_token']!, /^00D[A-Za-z0-9]{12}!AQ/);
    assert.equal(body['id'], `${url}/id/${admin.identity().orgId}/${admin.identity().integrationUserId}`);
    assert.match(body['issued_at']!, /^\d{13}$/);
  });

  test('401 after revokeTokens: one re-mint shared by concurrent callers, then success', async (t) => {
    const { sf, admin } = await emulated(t);
    await sf.connect();
    admin.revokeTokens();
    const results = await Promise.all([sf.limits(), sf.limits(), sf.limits()]);
    assert.equal(results.length, 3);
    assert.equal(admin.counters().byKind['oauth'], 2, 'one initial mint + one shared re-mint');
  });

  test('a session that stays invalid is re-minted once, then surfaces as auth', async (t) => {
    const { sf, admin } = await emulated(t);
    await sf.connect();
    admin.faults.inject({
      match: { kind: 'limits' },
      status: 401,
      errorCode: 'INVALID_SESSION_ID',
      message: 'Session expired or invalid',
    });
    const error = await rejection(sf.limits());
    assert.equal(error.code, 'auth');
    assert.equal(error.vendorCode, 'INVALID_SESSION_ID');
    assert.equal(admin.counters().byKind['oauth'], 2);
  });

  test('"not valid for use with the REST API" does not re-mint', async (t) => {
    const { sf, admin } = await emulated(t);
    await sf.connect();
    admin.faults.inject({
      match: { kind: 'limits' },
      status: 401,
      errorCode: 'INVALID_SESSION_ID',
      message: 'This session is not valid for use with the REST API',
      times: 1,
    });
    const error = await rejection(sf.limits());
    assert.equal(error.code, 'auth');
    assert.equal(admin.counters().byKind['oauth'], 1);
  });

  test('find follows nextRecordsUrl pages and strips attributes', async (t) => {
    const { sf, admin } = await emulated(t, { queryBatchSize: 2 });
    const accountId = admin.seed('Account', [{ Name: 'Acme' }])[0]!;
    admin.seed(
      'Contact',
      [1, 2, 3, 4, 5].map((n) => ({ LastName: `P${n}`, Email: `p${n}@acme.test`, AccountId: accountId })),
    );
    const rows = await sf.find({
      object: 'Contact',
      fields: ['Id', 'LastName', 'Account.Name'],
      where: [],
      orderBy: 'LastName',
    });
    assert.deepEqual(
      rows.map((r) => r['LastName']),
      ['P1', 'P2', 'P3', 'P4', 'P5'],
    );
    assert.equal(rows[0]!['attributes'], undefined);
    assert.deepEqual(rows[0]!['Account'], { Name: 'Acme' });
    assert.equal(admin.counters().byKind['query.more'], 2);
  });

  test('composite: a query, a retrieve and a write in one call; query pages followed, failures per op', async (t) => {
    const { sf, admin } = await emulated(t, { queryBatchSize: 2 });
    const [accountId] = admin.seed('Account', [{ Name: 'Acme', Seats__c: 4 }]);
    admin.seed(
      'Contact',
      [1, 2, 3, 4, 5].map((n) => ({ LastName: `P${n}`, AccountId: accountId })),
    );
    const before = admin.requests().length;
    const outcomes = await sf.composite!([
      {
        kind: 'find',
        request: {
          object: 'Contact',
          fields: ['Id', 'LastName'],
          where: [{ field: 'AccountId', op: '=', value: accountId! }],
          orderBy: 'LastName',
        },
      },
      { kind: 'retrieve', object: 'Account', ids: [accountId!, '001000000000000AAA'], fields: ['Seats__c'] },
      { kind: 'find', request: { object: 'Contact', fields: ['Id', 'Nope__c'], where: [] } },
      { kind: 'write', write: { op: 'create', object: 'Lead', records: [{ LastName: 'L', Company: 'C' }] } },
    ]);
    const [found, retrieved, failed, written] = outcomes;
    assert.equal(found?.kind, 'find');
    assert.deepEqual(found?.kind === 'find' && found.rows.map((r) => r['LastName']), [
      'P1',
      'P2',
      'P3',
      'P4',
      'P5',
    ]);
    assert.equal(found?.kind === 'find' && found.rows[0]!['attributes'], undefined);
    assert.equal(retrieved?.kind === 'retrieve' && retrieved.rows[0]?.['Seats__c'], 4);
    assert.equal(retrieved?.kind === 'retrieve' && retrieved.rows[1], null);
    assert.equal(failed?.kind, 'error');
    assert.ok(failed?.kind === 'error' && failed.error instanceof ConcordError);
    assert.equal(written?.kind === 'write' && written.results[0]?.ok, true);
    assert.equal(admin.all('Lead').length, 1);
    // one composite call, then two query-more pages for the five Contacts
    assert.deepEqual(
      admin
        .requests()
        .slice(before)
        .filter((r) => r.kind !== 'oauth')
        .map((r) => r.kind),
      ['composite', 'query.more', 'query.more'],
    );
  });

  test('composite: a query too long for one URL fails alone; the write beside it is made', async (t) => {
    const { sf, admin } = await emulated(t);
    const values = Array.from({ length: 600 }, (_, i) => `someone-${i}@a-rather-long-domain.example`);
    const [tooLong, written] = await sf.composite!([
      // with a LIMIT it cannot be split into several queries either
      {
        kind: 'find',
        request: {
          object: 'Contact',
          fields: ['Id'],
          where: [{ field: 'Email', op: 'in', values }],
          limit: 5,
        },
      },
      { kind: 'write', write: { op: 'create', object: 'Lead', records: [{ LastName: 'L', Company: 'C' }] } },
    ]);
    assert.equal(tooLong?.kind, 'error');
    assert.equal(written?.kind === 'write' && written.results[0]?.ok, true);
    assert.equal(admin.all('Lead').length, 1);
  });

  test('email equality is case-insensitive; literals with quotes and backslashes are escaped', async (t) => {
    const { sf, admin } = await emulated(t);
    admin.seed('Contact', [{ LastName: "O'Hara \\ Co", Email: 'Mixed.Case@Example.com' }]);
    const byEmail = await sf.find({
      object: 'Contact',
      fields: ['Id', 'LastName'],
      where: [{ field: 'Email', op: '=', value: 'mixed.case@example.COM' }],
    });
    assert.equal(byEmail.length, 1);
    const byName = await sf.find({
      object: 'Contact',
      fields: ['Id'],
      where: [{ field: 'LastName', op: '=', value: "O'Hara \\ Co" }],
    });
    assert.equal(byName.length, 1);
  });

  test('long IN lists are split into several queries and concatenated', async (t) => {
    const { sf, admin } = await emulated(t);
    admin.seed('Contact', [
      { LastName: 'A', Email: 'first@x.test' },
      { LastName: 'B', Email: 'last@x.test' },
    ]);
    const emails = [
      'first@x.test',
      ...Array.from({ length: 1200 }, (_, i) => `filler-${i}-padding@example.invalid`),
      'last@x.test',
    ];
    const rows = await sf.find({
      object: 'Contact',
      fields: ['Id', 'LastName'],
      where: [{ field: 'Email', op: 'in', values: emails }],
    });
    assert.deepEqual(rows.map((r) => r['LastName']).sort(), ['A', 'B']);
    assert.ok((admin.counters().byKind['query'] ?? 0) > 1);
    for (const r of admin.requests()) assert.ok(r.path.length < 16384);
  });

  test('create maps per-record results in order: ok, REQUIRED_FIELD_MISSING, INVALID_FIELD', async (t) => {
    const { sf, admin } = await emulated(t);
    const results = await sf.create('Contact', [
      { LastName: 'Ok' },
      { Email: 'x@y.test' },
      { LastName: 'Z', Foo__c: 1 },
    ]);
    assert.equal(results[0]!.ok, true);
    const [, missing, invalid] = results;
    assert.ok(missing && !missing.ok && invalid && !invalid.ok);
    assert.equal(missing.error.vendorCode, 'REQUIRED_FIELD_MISSING');
    assert.equal(missing.error.code, 'invalid_request');
    assert.deepEqual(missing.error.details?.['fields'], ['LastName']);
    assert.equal(invalid.error.vendorCode, 'INVALID_FIELD');
    assert.equal(admin.all('Contact').length, 1);
  });

  test('more than 200 records are split into several collection calls', async (t) => {
    const { sf, admin } = await emulated(t);
    const results = await sf.create(
      'Lead',
      Array.from({ length: 250 }, (_, i) => ({ LastName: `L${i}`, Company: 'C' })),
    );
    assert.equal(results.length, 250);
    assert.ok(results.every((r) => r.ok));
    assert.equal(admin.counters().byKind['collections.create'], 2);
  });

  test('update: DUPLICATE_VALUE is conflict; converted leads and read-only fields are invalid_request', async (t) => {
    const { sf, admin } = await emulated(t);
    const [a, b] = admin.seed('Contact', [{ LastName: 'A', Auth0_User_Id__c: 'auth0|a' }, { LastName: 'B' }]);
    const [dup] = await sf.update('Contact', [{ Id: b!, Auth0_User_Id__c: 'AUTH0|A' }]);
    assert.ok(dup && !dup.ok);
    assert.equal(dup.error.code, 'conflict');
    assert.equal(dup.error.vendorCode, 'DUPLICATE_VALUE');
    assert.match(dup.error.message, new RegExp(`duplicates value on record with id: ${a}`));

    const [lead, fresh] = admin.seed('Lead', [
      { LastName: 'L', Company: 'C' },
      { LastName: 'M', Company: 'C' },
    ]);
    admin.convertLead(lead!);
    assert.equal(admin.get('Lead', lead!)?.['IsConverted'], true);
    const [converted, readOnly] = await sf.update('Lead', [
      { Id: lead!, Title: 'x' },
      { Id: fresh!, IsConverted: true },
    ]);
    assert.ok(converted && !converted.ok && readOnly && !readOnly.ok);
    assert.equal(converted.error.vendorCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
    assert.equal(readOnly.error.vendorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  test('upsert through collections reports created true/false', async (t) => {
    const { sf, admin } = await emulated(t);
    const first = await sf.upsert('Contact', 'Auth0_User_Id__c', [
      { Auth0_User_Id__c: 'auth0|1', LastName: 'One' },
    ]);
    assert.deepEqual(
      first.map((r) => r.ok && r.created),
      [true],
    );
    const second = await sf.upsert('Contact', 'Auth0_User_Id__c', [
      { Auth0_User_Id__c: 'AUTH0|1', LastName: 'Uno' },
      { Auth0_User_Id__c: 'auth0|2', LastName: 'Two' },
    ]);
    assert.deepEqual(
      second.map((r) => r.ok && r.created),
      [false, true],
    );
    assert.equal(admin.all('Contact').find((c) => c['Auth0_User_Id__c'] === 'auth0|1')?.['LastName'], 'Uno');
  });

  test('retrieve returns records in order and null for missing or deleted ids', async (t) => {
    const { sf, admin } = await emulated(t);
    const [a, b] = admin.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
    admin.deleteRecord('Contact', b!);
    const rows = await sf.retrieve('Contact', [b!, a!, '003000000000000AAA'], ['LastName']);
    assert.deepEqual(
      rows.map((r) => r?.['LastName'] ?? null),
      [null, 'A', null],
    );
  });

  test('injected 503 and UNABLE_TO_LOCK_ROW are retryable, and jsforce does not retry by itself', async (t) => {
    const { sf, admin } = await emulated(t);
    admin.faults.inject({
      match: { kind: 'query' },
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'Server unavailable',
      times: 1,
    });
    const down = await rejection(sf.find({ object: 'Contact', fields: ['Id'], where: [] }));
    assert.equal(down.code, 'unavailable');
    assert.equal(down.retryable, true);
    assert.equal(admin.counters().byKind['query'], 1);

    admin.faults.inject({
      match: { method: 'POST', pathIncludes: '/composite/sobjects' },
      status: 400,
      errorCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record',
      times: 1,
    });
    const lock = await rejection(sf.create('Contact', [{ LastName: 'X' }]));
    assert.equal(lock.code, 'lock');
    assert.equal(lock.retryable, true);
    assert.equal((await sf.create('Contact', [{ LastName: 'X' }]))[0]?.ok, true, 'fault used up');
  });

  test('REQUEST_LIMIT_EXCEEDED once the daily allocation is used up', async (t) => {
    const { sf, admin } = await emulated(t, { dailyApiLimit: 50 });
    await sf.limits();
    assert.deepEqual(sf.apiUsage(), { used: 1, limit: 50 });
    admin.setApiUsage(50);
    const error = await rejection(sf.find({ object: 'Contact', fields: ['Id'], where: [] }));
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryable, true);
    assert.equal(error.vendorCode, 'REQUEST_LIMIT_EXCEEDED');
    assert.deepEqual(sf.apiUsage(), { used: 50, limit: 50 });
  });

  test('every request carries Sforce-Call-Options client=concord; UI edits carry none', async (t) => {
    const { sf, admin } = await emulated(t);
    const [created] = await sf.create('Contact', [{ LastName: 'Stamped' }]);
    assert.ok(created?.ok);
    await sf.find({ object: 'Contact', fields: ['Id'], where: [] });
    const api = admin.requests().filter((r) => r.kind !== 'oauth');
    assert.ok(api.length >= 2);
    assert.ok(api.every((r) => r.client === 'concord'));
    assert.equal(admin.lastModifiedByClient('Contact', created.id), 'concord');
    const me = sf.identity()!;
    assert.equal(admin.get('Contact', created.id)?.['LastModifiedById'], me.userId);
    admin.update('Contact', created.id, { Title: 'CEO' });
    assert.equal(admin.lastModifiedByClient('Contact', created.id), undefined);
    assert.equal(admin.get('Contact', created.id)?.['LastModifiedById'], admin.identity().adminUserId);
  });

  test('apiVersion below 60.0 is rejected', () => {
    assert.throws(
      () =>
        createSalesforceConnector({
          loginUrl: 'http://x',
          apiVersion: '50.0',
          auth: { flow: 'client_credentials', clientId: 'a', clientSecret: 'b' },
        }),
      (e: unknown) => e instanceof ConcordError && e.code === 'config',
    );
  });
});

describe('emulator REST behaviour (raw HTTP)', { skip: EMULATOR_ONLY }, () => {
  test('single-record upsert: 201, 200 created:false, 300 on several matches, 404 on a bad field', async (t) => {
    const { url, admin } = await emulated(t);
    const headers = { authorization: `Bearer ${await token(url)}`, 'content-type': 'application/json' };
    const base = `${url}/services/data/v60.0/sobjects/Contact`;
    const put = (path: string, body: object) =>
      fetch(`${base}/${path}`, { method: 'PATCH', headers, body: JSON.stringify(body) });
    const created = await put('Auth0_User_Id__c/auth0%7C123', { LastName: 'New' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys((await created.json()) as object).sort(), [
      'created',
      'errors',
      'id',
      'success',
    ]);
    const updated = await put('Auth0_User_Id__c/auth0%7C123', { LastName: 'Again' });
    assert.equal(updated.status, 200);
    assert.equal(((await updated.json()) as { created: boolean }).created, false);
    assert.equal(admin.all('Contact')[0]?.['Auth0_User_Id__c'], 'auth0|123');

    admin.seed('Contact', [
      { LastName: 'X', Legacy_Id__c: 'L1' },
      { LastName: 'Y', Legacy_Id__c: 'L1' },
    ]);
    const multiple = await put('Legacy_Id__c/L1', { LastName: 'Z' });
    assert.equal(multiple.status, 300);
    const urls = (await multiple.json()) as string[];
    assert.equal(urls.length, 2);
    assert.match(urls[0]!, /^\/services\/data\/v60\.0\/sobjects\/Contact\/003/);

    const badField = await put('Nope__c/1', { LastName: 'Z' });
    assert.equal(badField.status, 404);
    assert.equal(((await badField.json()) as [{ errorCode: string }])[0].errorCode, 'NOT_FOUND');
  });

  test('allOrNone: HTTP 200, the bad record has its error, the others are rolled back, nothing applied', async (t) => {
    const { url, admin } = await emulated(t);
    const res = await fetch(`${url}/services/data/v60.0/composite/sobjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(url)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Contact' }, LastName: 'Good' },
          { attributes: { type: 'Contact' }, Email: 'no-last-name@x.test' },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Array<{
      id?: string;
      success: boolean;
      errors: Array<{ statusCode: string }>;
    }>;
    assert.equal(body[0]!.success, false);
    assert.equal(body[0]!.id, undefined);
    assert.equal(body[0]!.errors[0]!.statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
    assert.equal(body[1]!.errors[0]!.statusCode, 'REQUIRED_FIELD_MISSING');
    assert.equal(admin.all('Contact').length, 0);
  });

  test('more than 200 records is a request-level 400; every response has Sforce-Limit-Info', async (t) => {
    const { url } = await emulated(t);
    const res = await fetch(`${url}/services/data/v60.0/composite/sobjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(url)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Contact' }, LastName: 'x' })),
      }),
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/15000$/);
    const unauth = await fetch(`${url}/services/data/v60.0/limits`, {
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(unauth.status, 401);
    assert.deepEqual(await unauth.json(), [
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  test('admin API over HTTP: seed, counters, faults', async (t) => {
    const { url, admin } = await emulated(t);
    const seeded = await fetch(`${url}/__emulator/seed`, {
      method: 'POST',
      body: JSON.stringify({ object: 'Account', records: [{ Name: 'Over HTTP' }] }),
    });
    const { ids } = (await seeded.json()) as { ids: string[] };
    assert.match(ids[0]!, /^001[A-Za-z0-9]{15}$/);
    assert.equal(admin.get('Account', ids[0]!)?.['Name'], 'Over HTTP');
    await fetch(`${url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({
        match: { kind: 'limits' },
        status: 503,
        errorCode: 'SERVER_UNAVAILABLE',
        message: 'down',
        times: 1,
      }),
    });
    const faulted = await fetch(`${url}/services/data/v60.0/limits`, {
      headers: { authorization: `Bearer ${await token(url)}` },
    });
    assert.equal(faulted.status, 503);
    const counters = (await (await fetch(`${url}/__emulator/counters`)).json()) as {
      byKind: Record<string, number>;
    };
    assert.equal(counters.byKind['limits'], 1);
  });
});

describe('buildSoql', () => {
  test('escapes quotes and backslashes, joins conditions with AND', () => {
    assert.equal(
      buildSoql({
        object: 'Contact',
        fields: ['Id', 'Account.Name'],
        where: [
          { field: 'Email', op: '=', value: "o'neil\\@x.test" },
          { field: 'Auth0_User_Id__c', op: 'in', values: ['auth0|1', 'a'] },
          { field: 'IsDeleted', op: '=', value: false },
          { field: 'Logins_30d__c', op: '!=', value: null },
          { field: 'LastName', op: 'like', value: 'Sm%' },
        ],
        orderBy: 'LastName DESC',
        limit: 5,
      }),
      "SELECT Id, Account.Name FROM Contact WHERE Email = 'o\\'neil\\\\@x.test' AND Auth0_User_Id__c IN ('auth0|1', 'a') AND IsDeleted = false AND Logins_30d__c != null AND LastName LIKE 'Sm%' ORDER BY LastName DESC LIMIT 5",
    );
  });
  test('rejects identifiers that are not field names', () => {
    assert.throws(() => buildSoql({ object: 'Contact', fields: ['Id FROM User --'], where: [] }), TypeError);
    assert.throws(
      () => buildSoql({ object: 'Contact', fields: ['Id'], where: [], orderBy: 'Id; DROP' }),
      TypeError,
    );
  });
});
