/**
 * Contract tests for the Salesforce emulator's REST surface, driven with jsforce 3.10.16 as the client.
 * Each case that needs admin powers (seeding rules, faults, the clock) runs against the emulator only; the
 * "real org or emulator" block also runs against an org when CONCORD_TEST_SF_LOGIN_URL / _CLIENT_ID /
 * _CLIENT_SECRET are set.
 *
 * Fidelity checklist (docs reference §8) → tests, in this file unless named:
 * - Token: JWT / client credentials / {error} / no expires_in / 00D…!AQ tokens / expiry → 401
 *     → salesforce-connector.test.ts "JWT bearer…", "token response has no expires_in…", "401 after revokeTokens…";
 *       here "sessions expire after the inactivity timeout (advanceTime)"
 * - REST CRUD, external-id GET/PATCH 201/200/300/404 → salesforce-connector.test.ts "single-record upsert…"
 * - /query, /queryAll with small batch → salesforce-connector.test.ts "find follows nextRecordsUrl…";
 *       here "queryAll returns deleted records with IsDeleted"
 * - collections + allOrNone → salesforce-connector.test.ts "allOrNone: HTTP 200…"
 * - /composite references → "composite: @{ref.id} and @{ref.field} references, one API call",
 *       "composite allOrNone: PROCESSING_HALTED and rollback", "composite without allOrNone halts only dependants"
 * - describe → "describe: If-Modified-Since → 304, configured stages as picklist"; /limits → connector test
 * - Bulk 2.0 with every CSV field quoted → salesforce-bulk.test.ts
 * - Sforce-Limit-Info on every response → "Sforce-Limit-Info on every response, composite counts once";
 *       Sforce-Call-Options → changeOrigin → salesforce-change-feed.test.ts "changeOrigin carries the client…"
 * - Faults: 401 → connector tests; REQUEST_LIMIT_EXCEEDED both messages → "REQUEST_LIMIT_EXCEEDED: TotalRequests
 *       and ConcurrentPerOrgLongTxn"; UNABLE_TO_LOCK_ROW / 503 windows → "row-lock and 503 windows";
 *       DUPLICATES_DETECTED both spellings → "duplicate rules: block, alert + allowSave, both spellings";
 *       DUPLICATE_VALUE → connector "update: DUPLICATE_VALUE…"; REQUIRED_FIELD_MISSING (Lead, Contact,
 *       Opportunity) → "required fields of Lead, Contact and Opportunity"; INVALID_FIELD → connector "create maps…";
 *       ENTITY_IS_DELETED → "ENTITY_IS_DELETED on update of a deleted record"; concurrency hook → the limit test
 * - SOQL subset (parent paths, child subqueries, =, !=, IN, LIKE, AND/OR, datetime </>, ORDER BY, LIMIT,
 *       case-insensitive =, IsDeleted) → src/emulators/salesforce/soql/soql.test.ts; here "child subqueries
 *       OpportunityContactRoles and OpportunityLineItems" and "queryAll returns deleted records"
 * - Change feed → salesforce-change-feed.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Connection } from 'jsforce';
import { EMULATOR_ONLY, REAL_ORG as REAL } from '../support/real-org.js';
import {
  createSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../src/emulators/salesforce/index.js';

async function mint(loginUrl: string, clientId: string, clientSecret: string) {
  const res = await fetch(`${loginUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { access_token: string; instance_url: string };
}

async function emulated(t: TestContext, options: SalesforceEmulatorOptions = {}) {
  const emulator = createSalesforceEmulator(options);
  const server = await emulator.listen(0);
  t.after(() => server.close());
  const token = await mint(server.url, 'concord-sandbox', 'sandbox-secret');
  const conn = new Connection({
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
    version: '60.0',
    callOptions: { client: 'concord' },
  });
  return { admin: emulator.admin, url: server.url, conn, token: token.access_token };
}

/** jsforce's HttpApiError for a rejected call: errorCode, message and the raw error item in `data`. */
async function apiError(promise: PromiseLike<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode: string; message: string; data?: unknown; name: string };
  }
  assert.fail('expected an API error');
}

type Composite = {
  compositeResponse: Array<{
    body: unknown;
    httpHeaders: Record<string, string>;
    httpStatusCode: number;
    referenceId: string;
  }>;
};

describe('salesforce REST: real org or emulator', () => {
  async function target(t: TestContext) {
    if (!REAL) return (await emulated(t)).conn;
    const token = await mint(REAL.loginUrl, REAL.clientId, REAL.clientSecret);
    return new Connection({
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      version: '60.0',
      callOptions: { client: 'concord' },
    });
  }

  test('GET /services/data/ lists versions including 60.0', async (t) => {
    const conn = await target(t);
    const versions = await conn.request<Array<{ version: string; url: string }>>('/services/data/');
    assert.ok(versions.some((v) => v.version === '60.0' && v.url === '/services/data/v60.0'));
  });

  test('composite: @{ref.id} and @{ref.field} references, rolled back by allOrNone', async (t) => {
    const conn = await target(t);
    const stamp = `concord-composite-${Date.now()}`;
    const result = await conn.requestPost<Composite>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: stamp },
        },
        {
          method: 'GET',
          url: '/services/data/v60.0/sobjects/Account/@{acct.id}?fields=Name',
          referenceId: 'acctRead',
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Contact',
          referenceId: 'contact',
          body: { LastName: '@{acctRead.Name}', AccountId: '@{acct.id}' },
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Contact',
          referenceId: 'bad',
          body: { Email: 'x@y.test' },
        },
      ],
    });
    const [acct, read, contact, bad] = result.compositeResponse;
    assert.equal(bad?.httpStatusCode, 400);
    assert.equal((bad!.body as Array<{ errorCode: string }>)[0]?.errorCode, 'REQUIRED_FIELD_MISSING');
    for (const r of [acct, read, contact]) {
      assert.equal(r?.httpStatusCode, 400);
      assert.equal((r!.body as Array<{ errorCode: string }>)[0]?.errorCode, 'PROCESSING_HALTED');
    }
    const left = await conn.query(`SELECT Id FROM Account WHERE Name = '${stamp}'`);
    assert.equal(left.totalSize, 0, 'rolled back');
  });
});

describe('salesforce emulator REST', { skip: EMULATOR_ONLY }, () => {
  test('composite: @{ref.id} and @{ref.field} references, one API call', async (t) => {
    const { conn, admin } = await emulated(t);
    const before = admin.counters().total;
    const result = await conn.requestPost<Composite>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: 'Acme' },
        },
        {
          method: 'GET',
          url: '/services/data/v60.0/sobjects/Account/@{acct.id}?fields=Name',
          referenceId: 'read',
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Contact',
          referenceId: 'contact',
          body: { LastName: '@{read.Name}', AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: "/services/data/v60.0/query?q=SELECT+Id,Name+FROM+Contact+WHERE+AccountId='@{acct.id}'",
          referenceId: 'q',
        },
        {
          method: 'PATCH',
          url: '/services/data/v60.0/sobjects/Contact/@{q.records[0].Id}',
          referenceId: 'upd',
          body: { Title: 'CTO' },
        },
      ],
    });
    const [acct, read, contact, q, upd] = result.compositeResponse;
    assert.equal(acct?.httpStatusCode, 201);
    const acctId = (acct!.body as { id: string }).id;
    assert.match(acctId, /^001/);
    assert.equal(acct?.httpHeaders['Location'], `/services/data/v60.0/sobjects/Account/${acctId}`);
    assert.equal((read!.body as { Name: string }).Name, 'Acme');
    assert.equal(contact?.httpStatusCode, 201);
    assert.equal((q!.body as { totalSize: number }).totalSize, 1);
    assert.equal(upd?.httpStatusCode, 204);
    assert.equal(upd?.body, null);
    const saved = admin.get('Contact', (contact!.body as { id: string }).id);
    assert.deepEqual([saved?.['LastName'], saved?.['AccountId'], saved?.['Title']], ['Acme', acctId, 'CTO']);
    assert.equal(admin.counters().total - before, 1, 'composite is one call');
    assert.equal(conn.limitInfo?.apiUsage?.used, admin.counters().byKind['composite']);
  });

  test('composite allOrNone: PROCESSING_HALTED and rollback', async (t) => {
    const { conn, admin } = await emulated(t);
    const result = await conn.requestPost<Composite>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Account',
          referenceId: 'a',
          body: { Name: 'A' },
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Opportunity',
          referenceId: 'o',
          body: { Name: 'O' },
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Account',
          referenceId: 'b',
          body: { Name: 'B' },
        },
      ],
    });
    const codes = result.compositeResponse.map((r) => (r.body as Array<{ errorCode: string }>)[0]?.errorCode);
    assert.deepEqual(codes, ['PROCESSING_HALTED', 'REQUIRED_FIELD_MISSING', 'PROCESSING_HALTED']);
    assert.deepEqual(
      result.compositeResponse.map((r) => r.httpStatusCode),
      [400, 400, 400],
    );
    assert.equal(admin.all('Account').length, 0);
    assert.equal(admin.cdc.events().length, 0, 'no change events for rolled-back writes');
  });

  test('composite without allOrNone halts only dependants; more than 25 subrequests is a 400', async (t) => {
    const { conn, admin } = await emulated(t);
    const result = await conn.requestPost<Composite>('/composite', {
      compositeRequest: [
        { method: 'POST', url: '/services/data/v60.0/sobjects/Contact', referenceId: 'bad', body: {} },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Task',
          referenceId: 'dependent',
          body: { Subject: 'x', WhoId: '@{bad.id}' },
        },
        {
          method: 'POST',
          url: '/services/data/v60.0/sobjects/Account',
          referenceId: 'ok',
          body: { Name: 'Ok' },
        },
      ],
    });
    const [bad, dependent, ok] = result.compositeResponse;
    assert.equal(bad?.httpStatusCode, 400);
    assert.equal(
      (dependent!.body as Array<{ errorCode: string; message: string }>)[0]?.errorCode,
      'PROCESSING_HALTED',
    );
    assert.match((dependent!.body as Array<{ message: string }>)[0]!.message, /Invalid reference specified/);
    assert.equal(ok?.httpStatusCode, 201);
    assert.equal(admin.all('Account').length, 1);

    const tooMany = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: '/services/data/v60.0/limits',
      referenceId: `r${i}`,
    }));
    const error = await apiError(conn.requestPost('/composite', { compositeRequest: tooMany }));
    assert.equal(error.errorCode, 'LIMIT_EXCEEDED');
  });

  test('duplicate rules: block, alert + allowSave, both spellings', async (t) => {
    const { conn, admin } = await emulated(t, {
      duplicateRules: [
        { name: 'Contact_Email', object: 'Contact', matchFields: ['Email'], action: 'alert' },
        {
          name: 'Lead_Email',
          object: 'Lead',
          matchFields: ['Email'],
          action: 'block',
          matchObjects: ['Lead', 'Contact'],
          resultKey: 'duplicateResut',
        },
      ],
    });
    const [existing] = admin.seed('Contact', [{ LastName: 'Ada', Email: 'ada@example.com' }]);
    const error = await apiError(
      conn.sobject('Contact').create({ LastName: 'Ada2', Email: 'ADA@example.com' }),
    );
    assert.equal(error.errorCode, 'DUPLICATES_DETECTED');
    const data = error.data as {
      duplicateResult: {
        allowSave: boolean;
        matchResults: Array<{ matchRecords: Array<{ record: { Id: string } }> }>;
      };
    };
    assert.equal(data.duplicateResult.allowSave, true);
    assert.equal(data.duplicateResult.matchResults[0]?.matchRecords[0]?.record.Id, existing);

    // Per-record shape in a collection, with the same payload.
    const [rec] = (await conn.sobject('Contact').create([{ LastName: 'Ada3', Email: 'ada@example.com' }], {
      allOrNone: false,
    })) as unknown as Array<{
      success: boolean;
      errors: Array<{ statusCode: string; duplicateResult?: unknown }>;
    }>;
    assert.equal(rec?.success, false);
    assert.equal(rec?.errors[0]?.statusCode, 'DUPLICATES_DETECTED');
    assert.ok(rec?.errors[0]?.duplicateResult);

    // Alert rules yield to Sforce-Duplicate-Rule-Header: allowSave=true.
    const saved = await conn.request<{ id: string; success: boolean }>({
      method: 'POST',
      url: '/services/data/v60.0/sobjects/Contact',
      body: JSON.stringify({ LastName: 'Ada4', Email: 'ada@example.com' }),
      headers: {
        'content-type': 'application/json',
        'Sforce-Duplicate-Rule-Header': 'allowSave=true; includeRecordDetails=true',
      },
    });
    assert.equal(saved.success, true);

    // Block rules do not, and this one reports the real-world misspelling.
    const blocked = await apiError(
      conn.request({
        method: 'POST',
        url: '/services/data/v60.0/sobjects/Lead',
        body: JSON.stringify({ LastName: 'L', Company: 'C', Email: 'ada@example.com' }),
        headers: { 'content-type': 'application/json', 'Sforce-Duplicate-Rule-Header': 'allowSave=true' },
      }),
    );
    assert.equal(blocked.errorCode, 'DUPLICATES_DETECTED');
    const misspelt = blocked.data as {
      duplicateResut?: { allowSave: boolean; matchResults: Array<{ entityType: string }> };
    };
    assert.equal(misspelt.duplicateResut?.allowSave, false);
    assert.equal(misspelt.duplicateResut?.matchResults[0]?.entityType, 'Contact');
  });

  test('required fields of Lead, Contact and Opportunity; ENTITY_IS_DELETED on update of a deleted record', async (t) => {
    const { conn, admin } = await emulated(t);
    const lead = await apiError(conn.sobject('Lead').create({ FirstName: 'x' }));
    assert.equal(lead.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.match(lead.message, /LastName, Company/);
    const contact = await apiError(conn.sobject('Contact').create({ Email: 'a@b.test' }));
    assert.equal(contact.errorCode, 'REQUIRED_FIELD_MISSING');
    const opp = await apiError(conn.sobject('Opportunity').create({ Name: 'Deal' }));
    assert.equal(opp.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.deepEqual((opp.data as { fields: string[] }).fields, ['StageName', 'CloseDate']);

    const [id] = admin.seed('Contact', [{ LastName: 'Gone' }]);
    await conn.sobject('Contact').destroy(id!);
    const deleted = await apiError(conn.sobject('Contact').update({ Id: id!, Title: 'x' }));
    assert.equal(deleted.errorCode, 'ENTITY_IS_DELETED');
    const got = await apiError(conn.sobject('Contact').retrieve(id!));
    assert.equal(got.errorCode, 'NOT_FOUND');
  });

  test('queryAll returns deleted records with IsDeleted', async (t) => {
    const { conn, admin } = await emulated(t);
    const [a, b] = admin.seed('Contact', [{ LastName: 'Live' }, { LastName: 'Binned' }]);
    admin.deleteRecord('Contact', b!);
    const live = await conn.query<{ Id: string }>('SELECT Id FROM Contact');
    assert.deepEqual(
      live.records.map((r) => r.Id),
      [a],
    );
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(
      'SELECT Id, IsDeleted FROM Contact ORDER BY LastName',
      { scanAll: true },
    );
    assert.deepEqual(
      all.records.map((r) => [r.Id, r.IsDeleted]),
      [
        [b, true],
        [a, false],
      ],
    );
    const deletedOnly = await conn.query('SELECT Id FROM Contact WHERE IsDeleted = true', { scanAll: true });
    assert.equal(deletedOnly.totalSize, 1);
  });

  test('Opportunity: IsWon/IsClosed derived from configured stages and read-only; admin wins it as a human', async (t) => {
    const { conn, admin } = await emulated(t, {
      opportunityStages: [
        { apiName: 'Discovery', isClosed: false, isWon: false },
        { apiName: 'Signed', isClosed: true, isWon: true },
        { apiName: 'Lost', isClosed: true, isWon: false },
      ],
    });
    const created = await conn
      .sobject('Opportunity')
      .create({ Name: 'Deal', StageName: 'Discovery', CloseDate: '2026-03-31' });
    const id = (created as { id: string }).id;
    assert.match(id, /^006[A-Za-z0-9]{15}$/);
    const readOnly = await apiError(conn.sobject('Opportunity').update({ Id: id, IsWon: true }));
    assert.equal(readOnly.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
    const badStage = await apiError(conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' }));
    assert.equal(badStage.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');

    admin.winOpportunity(id);
    const won = await conn.query<{
      StageName: string;
      IsWon: boolean;
      IsClosed: boolean;
      LastModifiedById: string;
    }>(`SELECT StageName, IsWon, IsClosed, LastModifiedById FROM Opportunity WHERE Id = '${id}'`);
    assert.deepEqual(
      [
        won.records[0]?.StageName,
        won.records[0]?.IsWon,
        won.records[0]?.IsClosed,
        won.records[0]?.LastModifiedById,
      ],
      ['Signed', true, true, admin.identity().adminUserId],
    );
    const stages = await conn.query<{ ApiName: string }>(
      'SELECT ApiName, IsWon, IsClosed FROM OpportunityStage WHERE IsWon = true',
    );
    assert.deepEqual(
      stages.records.map((s) => s.ApiName),
      ['Signed'],
    );
  });

  test('child subqueries OpportunityContactRoles and OpportunityLineItems; id prefixes', async (t) => {
    const { conn, admin } = await emulated(t);
    const [acct] = admin.seed('Account', [{ Name: 'Acme' }]);
    const [contact] = admin.seed('Contact', [{ LastName: 'Buyer', AccountId: acct }]);
    const [opp] = admin.seed('Opportunity', [
      { Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-01-31', AccountId: acct },
    ]);
    const [product] = admin.seed('Product2', [{ Name: 'Seats', ProductCode: 'SEAT' }]);
    const ocr = (await conn
      .sobject('OpportunityContactRole')
      .create({ OpportunityId: opp, ContactId: contact, IsPrimary: true })) as { id: string };
    const oli = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, Product2Id: product, Quantity: 10, UnitPrice: 12.5 })) as { id: string };
    assert.match(product!, /^01t/);
    assert.match(ocr.id, /^00K/);
    assert.match(oli.id, /^00k/);
    const result = await conn.query<Record<string, unknown>>(
      `SELECT Id, Account.Name, (SELECT ContactId, IsPrimary FROM OpportunityContactRoles), (SELECT Product2.ProductCode, Quantity, TotalPrice FROM OpportunityLineItems) FROM Opportunity WHERE Id = '${opp}'`,
    );
    const row = result.records[0] as {
      Account: { Name: string };
      OpportunityContactRoles: { records: Array<{ ContactId: string; IsPrimary: boolean }> };
      OpportunityLineItems: { records: Array<{ Product2: { ProductCode: string }; TotalPrice: number }> };
    };
    assert.equal(row.Account.Name, 'Acme');
    assert.deepEqual(
      row.OpportunityContactRoles.records.map((r) => [r.ContactId, r.IsPrimary]),
      [[contact, true]],
    );
    assert.equal(row.OpportunityLineItems.records[0]?.Product2.ProductCode, 'SEAT');
    assert.equal(row.OpportunityLineItems.records[0]?.TotalPrice, 125);
  });

  test('Task: WhoId Lead or Contact; WhatId must be empty when WhoId is a Lead', async (t) => {
    const { conn, admin } = await emulated(t);
    const [lead] = admin.seed('Lead', [{ LastName: 'L', Company: 'C' }]);
    const [acct] = admin.seed('Account', [{ Name: 'A' }]);
    const [contact] = admin.seed('Contact', [{ LastName: 'C', AccountId: acct }]);
    const error = await apiError(conn.sobject('Task').create({ Subject: 'Call', WhoId: lead, WhatId: acct }));
    assert.equal(error.errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    const ok = (await conn
      .sobject('Task')
      .create({ Subject: 'Call', WhoId: contact, WhatId: acct, Status: 'Completed' })) as { id: string };
    assert.match(ok.id, /^00T/);
    assert.equal(admin.get('Task', ok.id)?.['IsClosed'], true);
    const wrongWho = await apiError(conn.sobject('Task').create({ Subject: 'x', WhoId: acct }));
    assert.equal(wrongWho.errorCode, 'MALFORMED_ID');
  });

  test('REQUEST_LIMIT_EXCEEDED: TotalRequests and ConcurrentPerOrgLongTxn', async (t) => {
    const { conn, admin } = await emulated(t, { dailyApiLimit: 10 });
    admin.setApiUsage(10);
    const total = await apiError(conn.query('SELECT Id FROM Contact'));
    assert.deepEqual(
      [total.errorCode, total.message],
      ['REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'],
    );
    admin.setApiUsage(0);

    admin.setConcurrencyLimit(1);
    admin.faults.inject({ match: { kind: 'limits' }, hold: true, times: 1 });
    const slow = conn.request('/services/data/v60.0/limits');
    await admin.faults.whenHeld(1);
    const concurrent = await apiError(conn.query('SELECT Id FROM Contact'));
    assert.deepEqual(
      [concurrent.errorCode, concurrent.message],
      ['REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'],
    );
    admin.faults.release();
    await slow;
    assert.equal((await conn.query('SELECT Id FROM Contact')).totalSize, 0, 'free again');
  });

  test('row-lock and 503 windows: the next N writes, or until cleared', async (t) => {
    const { conn, admin } = await emulated(t);
    admin.faults.rowLock({ times: 2 });
    for (let i = 0; i < 2; i++) {
      const locked = await apiError(conn.sobject('Account').create({ Name: 'A' }));
      assert.equal(locked.errorCode, 'UNABLE_TO_LOCK_ROW');
    }
    assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0, 'reads are not writes');
    assert.ok(((await conn.sobject('Account').create({ Name: 'A' })) as { success: boolean }).success);

    admin.faults.unavailable();
    // jsforce retries GETs on 5xx with backoff by itself; the connector turns that off, and so does this test.
    const noRetry = { retry: { maxRetries: 0 } };
    for (let i = 0; i < 3; i++) {
      const down = await apiError(
        conn.request('/services/data/v60.0/query?q=SELECT+Id+FROM+Account', noRetry),
      );
      assert.equal(down.errorCode, 'SERVER_UNAVAILABLE');
    }
    admin.faults.clear();
    assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 1);
  });

  test('latency injection delays only matching requests', async (t) => {
    const { conn, admin } = await emulated(t);
    admin.faults.inject({ match: { kind: 'limits' }, latencyMs: 20, times: 1 });
    await conn.request('/services/data/v60.0/limits');
    assert.equal(admin.requests().filter((r) => r.kind === 'limits').length, 1);
  });

  test('sessions expire after the inactivity timeout (advanceTime)', async (t) => {
    const { conn, admin } = await emulated(t, { sessionTimeoutMs: 60_000 });
    await conn.query('SELECT Id FROM Contact');
    admin.advanceTime(30_000);
    await conn.query('SELECT Id FROM Contact');
    admin.advanceTime(61_000);
    const expired = await apiError(conn.query('SELECT Id FROM Contact'));
    assert.equal(expired.errorCode, 'INVALID_SESSION_ID');
  });

  test('Sforce-Limit-Info on every response, composite counts once', async (t) => {
    const { url, token } = await emulated(t);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const responses = await Promise.all([
      fetch(`${url}/services/data/v60.0/sobjects/Contact/003000000000000AAA`, { headers }),
      fetch(`${url}/services/data/v60.0/composite`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          compositeRequest: [{ method: 'GET', url: '/services/data/v60.0/limits', referenceId: 'l' }],
        }),
      }),
    ]);
    for (const r of responses)
      assert.match(r.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/15000$/);
    const last = await fetch(`${url}/services/data/v60.0/limits`, { headers });
    assert.equal(last.headers.get('sforce-limit-info'), 'api-usage=3/15000');
  });

  test('describe: If-Modified-Since → 304, configured stages as picklist', async (t) => {
    const { url, token, conn, admin } = await emulated(t);
    const path = `${url}/services/data/v60.0/sobjects/Opportunity/describe`;
    const first = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(first.status, 200);
    const lastModified = first.headers.get('last-modified')!;
    const body = (await first.json()) as {
      fields: Array<{ name: string; picklistValues: Array<{ value: string }> }>;
    };
    assert.ok(
      body.fields.find((f) => f.name === 'StageName')?.picklistValues.some((p) => p.value === 'Closed Won'),
    );
    const again = await fetch(path, {
      headers: { authorization: `Bearer ${token}`, 'if-modified-since': lastModified },
    });
    assert.equal(again.status, 304);
    admin.advanceTime(5_000);
    admin.setOpportunityStages([{ apiName: 'Won', isClosed: true, isWon: true }]);
    const changed = await fetch(path, {
      headers: { authorization: `Bearer ${token}`, 'if-modified-since': lastModified },
    });
    assert.equal(changed.status, 200);
    const describe = await conn.sobject('Opportunity').describe();
    assert.deepEqual(
      describe.fields.find((f) => f.name === 'StageName')?.picklistValues?.map((p) => p.value),
      ['Won'],
    );
  });

  test('GET /sobjects/X/updated and /deleted windows', async (t) => {
    const { conn, admin } = await emulated(t);
    const start = new Date(Date.now() - 120_000).toISOString();
    const [a, b] = admin.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
    admin.deleteRecord('Contact', b!);
    admin.advanceTime(120_000);
    const end = new Date(Date.now() + 120_000 + 60_000).toISOString();
    const updated = await conn.request<{ ids: string[] }>(
      `/services/data/v60.0/sobjects/Contact/updated?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    assert.deepEqual(updated.ids, [a]);
    const deleted = await conn.request<{ deletedRecords: Array<{ id: string }> }>(
      `/services/data/v60.0/sobjects/Contact/deleted?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    assert.deepEqual(
      deleted.deletedRecords.map((d) => d.id),
      [b],
    );
  });
});
