/**
 * The outbox batcher over the real connector, against the Salesforce emulator over HTTP: what each caller
 * gets back is what it would have got alone, while the emulator sees few calls.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createSalesforceConnector } from '../../src/connectors/salesforce/index.js';
import { ConcordError } from '../../src/core/errors.js';
import { createSalesforceEmulator } from '../../src/emulators/salesforce/index.js';
import { createFlightDeck } from '../../src/pipeline/flight-deck.js';
import { type BatchingOptions, batchSalesforce } from '../../src/pipeline/salesforce-batcher.js';

async function batched(t: TestContext, options: Partial<BatchingOptions> = {}) {
  const emulator = createSalesforceEmulator();
  const server = await emulator.listen(0);
  t.after(() => server.close());
  const connector = createSalesforceConnector({
    loginUrl: server.url,
    auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
  });
  await connector.connect();
  const sf = batchSalesforce(connector, { lingerMs: 30, readLingerMs: 10, maxRecords: 200, ...options });
  const calls = () => emulator.admin.requests().filter((r) => r.kind !== 'oauth');
  return { sf, admin: emulator.admin, calls };
}

describe('Salesforce outbox batcher', () => {
  test('500 single-record upserts from separate callers leave as three Collections writes in one call', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        sf.upsert('Lead', 'Auth0_User_Id__c', [
          { LastName: `Batch${i}`, Company: 'Acme', Auth0_User_Id__c: `auth0|batch${i}` },
        ]),
      ),
    );
    assert.ok(results.every(([r]) => r?.ok && r.created));
    // two full batches of 200 leave at once; the remaining 100 ride in the same composite call
    assert.deepEqual(
      calls().map((c) => c.kind),
      ['composite'],
    );
    assert.deepEqual(sf.batchingStats().writeCalls, 3);
    assert.equal(admin.all('Lead').length, 500);
    const ids = new Set(results.map(([r]) => (r?.ok ? r.id : '')));
    assert.equal(ids.size, 500, 'each caller gets its own record id');
  });

  test('two writes to one record in one batch become one record, later values winning', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const [accountId] = admin.seed('Account', [{ Name: 'Before', Seats__c: 1 }]);
    const [first, second] = await Promise.all([
      sf.update('Account', [{ Id: accountId!, Name: 'First', Seats__c: 5 }]),
      sf.update('Account', [{ Id: accountId!, Name: 'Second' }]),
    ]);
    assert.deepEqual(first, second);
    assert.equal(first?.[0]?.ok, true);
    const sent = calls();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.kind, 'collections.update');
    const account = admin.get('Account', accountId!);
    assert.equal(account?.['Name'], 'Second');
    assert.equal(account?.['Seats__c'], 5, 'fields only the first write set are kept');
  });

  test('a record that fails sends only its own caller an error; the others are written', async (t) => {
    const { sf, admin } = await batched(t);
    admin.faults.failRecord({ field: 'Email', value: 'locked@example.com' });
    const emails = ['a@example.com', 'locked@example.com', 'b@example.com'];
    const results = await Promise.all(
      emails.map((Email, i) => sf.create('Lead', [{ LastName: `L${i}`, Company: 'Acme', Email }])),
    );
    assert.equal(results[0]?.[0]?.ok, true);
    assert.equal(results[2]?.[0]?.ok, true);
    const failed = results[1]?.[0];
    assert.ok(failed && !failed.ok);
    assert.equal(failed.error.vendorCode, 'UNABLE_TO_LOCK_ROW');
    assert.equal(failed.error.retryable, true);
    assert.deepEqual(
      admin
        .all('Lead')
        .map((l) => l['Email'])
        .sort(),
      ['a@example.com', 'b@example.com'],
    );
  });

  test('groups due together share one composite call; a failed subrequest fails only its records', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const [accountId] = admin.seed('Account', [{ Name: 'Acme' }]);
    const [task, account, missing] = await Promise.all([
      sf.create('Task', [{ Subject: 'Call back', WhatId: accountId, Status: 'Not Started' }]),
      sf.update('Account', [{ Id: accountId!, Seats__c: 9 }]),
      sf.upsert('Lead', 'No_Such_Field__c', [{ LastName: 'X', Company: 'Y', No_Such_Field__c: 'k' }]),
    ]);
    assert.equal(task?.[0]?.ok, true);
    assert.equal(account?.[0]?.ok, true);
    const failed = missing?.[0];
    assert.ok(failed && !failed.ok, 'the upsert on a field that does not exist fails');
    assert.deepEqual(
      calls().map((c) => c.kind),
      ['composite'],
    );
    assert.equal(admin.get('Account', accountId!)?.['Seats__c'], 9);
    assert.equal(admin.all('Task').length, 1);
  });

  test('lookups of one shape become one IN query; each caller gets its own rows, fields and limit', async (t) => {
    const { sf, admin, calls } = await batched(t);
    admin.seed(
      'Contact',
      Array.from({ length: 40 }, (_, i) => ({
        LastName: `C${i}`,
        Email: `person${i % 20}@example.com`,
        Phone: `+1555000${String(i).padStart(4, '0')}`,
      })),
    );
    const asked = Array.from({ length: 25 }, (_, i) => `Person${i}@Example.com`);
    const answers = await Promise.all(
      asked.map((email, i) =>
        sf.find({
          object: 'Contact',
          fields: i % 2 ? ['Id', 'Email'] : ['Id', 'Email', 'Phone'],
          where: [{ field: 'Email', op: '=', value: email }],
          ...(i === 0 ? { limit: 1 } : {}),
        }),
      ),
    );
    assert.equal(calls().length, 1, 'one query for 25 lookups');
    answers.forEach((rows, i) => {
      const expected = i >= 20 ? 0 : i === 0 ? 1 : 2;
      assert.equal(rows.length, expected, `rows for ${asked[i]}`);
      for (const row of rows) {
        assert.equal(String(row['Email']).toLowerCase(), asked[i]!.toLowerCase());
        assert.equal('Phone' in row, i % 2 === 0, 'only the fields this caller asked for');
      }
    });
  });

  test('lookups on one object keyed on different fields share one query', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const [accountId] = admin.seed('Account', [{ Name: 'Acme' }]);
    admin.seed('Contact', [
      { LastName: 'ByEmail', Email: 'e@example.com' },
      { LastName: 'ByKey', Auth0_User_Id__c: 'auth0|k' },
      { LastName: 'ByAccount', AccountId: accountId },
    ]);
    const [byEmail, byKey, byAccount] = await Promise.all([
      sf.find({
        object: 'Contact',
        fields: ['Id', 'LastName'],
        where: [{ field: 'Email', op: '=', value: 'E@example.com' }],
      }),
      sf.find({
        object: 'Contact',
        fields: ['Id', 'LastName'],
        where: [{ field: 'Auth0_User_Id__c', op: 'in', values: ['auth0|k', 'auth0|other'] }],
      }),
      sf.find({
        object: 'Contact',
        fields: ['Id'],
        where: [{ field: 'AccountId', op: '=', value: accountId! }],
      }),
    ]);
    assert.equal(calls().length, 1);
    assert.deepEqual(
      byEmail?.map((r) => r['LastName']),
      ['ByEmail'],
    );
    assert.deepEqual(
      byKey?.map((r) => r['LastName']),
      ['ByKey'],
    );
    assert.equal(byAccount?.length, 1);
    assert.deepEqual(
      Object.keys(byAccount![0]!),
      ['Id'],
      'the key field read for the split is not handed out',
    );
  });

  test('at a trickle a lookup waits for its window, so a job starting meanwhile shares its query', {
    timeout: 20_000,
  }, async (t) => {
    const deck = createFlightDeck();
    // A window longer than any test: only the flight deck can send these lookups.
    const { sf, admin, calls } = await batched(t, { readLingerMs: 60_000, deck });
    const [ada, grace] = admin.seed('Contact', [
      { LastName: 'Lovelace', Email: 'ada@example.com' },
      { LastName: 'Hopper', Email: 'grace@example.com' },
    ]);
    const lookup = (email: string) =>
      sf.find({ object: 'Contact', fields: ['Id'], where: [{ field: 'Email', op: '=', value: email }] });
    // One job in flight, with room for more (a live stream, not a backlog), waiting for its lookup: the next
    // delivery's job can still join, so the lookup is not sent at once.
    deck.jobStarted();
    const first = lookup('ada@example.com');
    await new Promise((resolve) => setImmediate(resolve));
    deck.jobStarted();
    const second = lookup('grace@example.com');
    // A full worker whose jobs all wait (a backlog) sends at once: nothing else can join.
    deck.setFull(true);
    assert.deepEqual(await Promise.all([first, second]), [[{ Id: ada }], [{ Id: grace }]]);
    assert.deepEqual(
      calls().map((c) => c.kind),
      ['query'],
      'one query for both jobs',
    );
  });

  test('in a backlog a lookup leaves as soon as every job in flight waits', {
    timeout: 20_000,
  }, async (t) => {
    const deck = createFlightDeck();
    const { sf, admin, calls } = await batched(t, { readLingerMs: 60_000, deck });
    const [ada] = admin.seed('Contact', [{ LastName: 'Lovelace', Email: 'ada@example.com' }]);
    // The worker's last claim took all it asked for: more jobs are queued, but none can start before these end.
    deck.setBacklog(true);
    deck.jobStarted();
    const rows = await sf.find({
      object: 'Contact',
      fields: ['Id'],
      where: [{ field: 'Email', op: '=', value: 'ada@example.com' }],
    });
    assert.deepEqual(rows, [{ Id: ada }]);
    assert.equal(calls().length, 1);
  });

  test('record reads by id for one object become one call', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const ids = admin.seed(
      'Contact',
      Array.from({ length: 30 }, (_, i) => ({ LastName: `R${i}`, Email: `r${i}@example.com` })),
    );
    const rows = await Promise.all([
      ...ids.map((id) => sf.retrieve('Contact', [id], ['LastName'])),
      sf.retrieve('Contact', ['003000000000000AAA'], ['Email']),
    ]);
    assert.equal(calls().length, 1);
    ids.forEach((id, i) => {
      assert.equal(rows[i]?.[0]?.Id, id);
      assert.equal(rows[i]?.[0]?.['LastName'], `R${i}`);
      assert.equal(rows[i]?.[0]?.['Email'], undefined, 'only the fields this caller asked for');
    });
    assert.deepEqual(rows[30], [null]);
  });

  test('a merged lookup that fails for one caller is answered caller by caller', async (t) => {
    const { sf, admin } = await batched(t);
    admin.seed('Contact', [{ LastName: 'Good', Email: 'good@example.com' }]);
    const [good, bad] = await Promise.allSettled([
      sf.find({
        object: 'Contact',
        fields: ['Id'],
        where: [{ field: 'Email', op: '=', value: 'good@example.com' }],
      }),
      sf.find({
        object: 'Contact',
        fields: ['Id', 'Not_A_Field__c'],
        where: [{ field: 'Email', op: '=', value: 'other@example.com' }],
      }),
    ]);
    assert.equal(good.status, 'fulfilled');
    assert.equal(good.status === 'fulfilled' && good.value.length, 1);
    assert.equal(bad.status, 'rejected');
    assert.ok(bad.status === 'rejected' && bad.reason instanceof ConcordError);
  });

  test('lookups that leave together share one composite call; a failing query fails only its callers', async (t) => {
    const { sf, admin, calls } = await batched(t);
    const [accountId] = admin.seed('Account', [{ Name: 'Acme', Seats__c: 3 }]);
    admin.seed('Contact', [{ LastName: 'Known', Auth0_User_Id__c: 'auth0|known', AccountId: accountId }]);
    admin.seed('Lead', [{ LastName: 'Lead', Company: 'Acme', Email: 'lead@example.com' }]);
    const [contact, lead, account, broken, written] = await Promise.allSettled([
      sf.find({
        object: 'Contact',
        fields: ['Id', 'LastName'],
        where: [],
        anyOf: [
          { field: 'Auth0_User_Id__c', op: 'in', values: ['auth0|known'] },
          { field: 'Email', op: '=', value: 'nobody@example.com' },
        ],
      }),
      sf.find({
        object: 'Lead',
        fields: ['Id', 'LastName'],
        where: [{ field: 'Email', op: '=', value: 'LEAD@example.com' }],
      }),
      sf.retrieve('Account', [accountId!], ['Seats__c']),
      sf.find({
        object: 'Opportunity',
        fields: ['Id', 'Not_A_Field__c'],
        where: [{ field: 'AccountId', op: '=', value: accountId! }],
      }),
      sf.create('Task', [{ Subject: 'Hello', WhatId: accountId, Status: 'Not Started' }]),
    ]);
    // four reads in one API call (the broken query is not asked again alone: it had one caller); the write
    // does not ride with reads, which would send it before its batch filled up
    assert.deepEqual(
      calls().map((c) => [c.kind, ...(c.subrequests ?? []).sort()]),
      [['composite', 'collections.retrieve', 'query', 'query', 'query'], ['collections.create']],
    );
    assert.equal(contact.status === 'fulfilled' && contact.value[0]?.['LastName'], 'Known');
    assert.equal(lead.status === 'fulfilled' && lead.value[0]?.['LastName'], 'Lead');
    assert.equal(account.status === 'fulfilled' && account.value[0]?.['Seats__c'], 3);
    assert.equal(broken.status, 'rejected');
    assert.ok(broken.status === 'rejected' && broken.reason instanceof ConcordError);
    assert.equal(written.status === 'fulfilled' && written.value[0]?.ok, true);
    assert.equal(admin.all('Task').length, 1);
  });

  test('lookups with several alternatives (OR) merge with each other and hand back each caller its rows', async (t) => {
    const { sf, admin, calls } = await batched(t);
    admin.seed('Contact', [
      { LastName: 'A', Auth0_User_Id__c: 'auth0|a' },
      { LastName: 'B', Email: 'b@example.com' },
      { LastName: 'C', Email: 'c@example.com', Auth0_User_Id__c: 'auth0|c' },
    ]);
    const ask = (id: string, email: string) =>
      sf.find({
        object: 'Contact',
        fields: ['Id', 'LastName'],
        where: [],
        anyOf: [
          { field: 'Auth0_User_Id__c', op: 'in', values: [id] },
          { field: 'Email', op: '=', value: email },
        ],
        limit: 100,
      });
    const [a, b, c] = await Promise.all([
      ask('auth0|a', 'a@example.com'),
      ask('auth0|b', 'B@example.com'),
      ask('auth0|x', 'c@example.com'),
    ]);
    assert.equal(calls().length, 1);
    assert.deepEqual(
      [a, b, c].map((rows) => rows.map((r) => r['LastName'])),
      [['A'], ['B'], ['C']],
    );
  });

  test('a whole call that fails reaches every caller in it', async (t) => {
    const { sf, admin } = await batched(t);
    admin.faults.unavailable({ times: 1 });
    const results = await Promise.allSettled(
      ['x', 'y'].map((n) => sf.create('Lead', [{ LastName: n, Company: 'Acme' }])),
    );
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.status === 'rejected' && r.reason instanceof ConcordError && r.reason.retryable);
    }
    assert.equal(admin.all('Lead').length, 0);
  });
});
