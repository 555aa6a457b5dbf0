/**
 * The change feed: the emulator's CDC-shaped events (ChangeEventHeader, replay ids, 72 h retention, gap and
 * overflow injection) over its HTTP stream, consumed through Concord's ChangeFeedPort adapter; and the
 * default trigger, SOQL polling on SystemModstamp, through the connector.
 * Checklist (§8): "the Sforce-Call-Options client flows into changeOrigin" → "changeOrigin carries the
 * client…"; "Change feed: CDC-shaped events, replayId, 72 h, gap/overflow" → the tests of the first block.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { ChangeEvent } from '../../src/core/change-feed.js';
import {
  createSalesforceChangeFeed,
  createSalesforceConnector,
  pollChanges,
  type PollCursor,
} from '../../src/connectors/salesforce/index.js';
import {
  type CdcEvent,
  createSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../src/emulators/salesforce/index.js';

const REAL = process.env['CONCORD_TEST_SF_LOGIN_URL'];
const EMULATOR_ONLY = REAL
  ? "the CDC stream is the emulator's transport (real orgs: Pub/Sub API); skipped against the real org"
  : false;
const AUTH = {
  flow: 'client_credentials',
  clientId: 'concord-sandbox',
  clientSecret: 'sandbox-secret',
} as const;

async function emulated(t: TestContext, options: SalesforceEmulatorOptions = {}) {
  const emulator = createSalesforceEmulator(options);
  const server = await emulator.listen(0);
  t.after(() => server.close());
  const sf = createSalesforceConnector({ loginUrl: server.url, auth: AUTH });
  const feed = createSalesforceChangeFeed({ loginUrl: server.url, auth: AUTH, reconnectDelayMs: 10 });
  return { admin: emulator.admin, url: server.url, sf, feed };
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      ...{ client_id: AUTH.clientId, client_secret: AUTH.clientSecret },
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Subscribes and collects events until `until` says enough; resolves with them. */
function collect(
  feed: ReturnType<typeof createSalesforceChangeFeed>,
  entities: string[],
  fromReplayId: string,
  until: (events: ChangeEvent[]) => boolean,
) {
  const controller = new AbortController();
  const events: ChangeEvent[] = [];
  const done = feed.subscribe({
    entities,
    fromReplayId,
    signal: controller.signal,
    onEvents: async (batch) => {
      events.push(...batch);
      if (until(events)) controller.abort();
    },
  });
  return done.then(() => events);
}

describe('salesforce change feed (emulator CDC stream)', { skip: EMULATOR_ONLY }, () => {
  test('changeOrigin carries the client; UI edits have an empty origin and the admin as commitUser', async (t) => {
    const { admin, sf } = await emulated(t);
    const [created] = await sf.create('Contact', [{ LastName: 'Api', Email: 'api@example.com' }]);
    assert.ok(created?.ok);
    admin.update('Contact', created.id, { Title: 'CEO', Email: null });
    const [create, update] = admin.cdc.events() as [CdcEvent, CdcEvent];
    const me = sf.identity()!;
    assert.deepEqual(
      {
        ...create.payload.ChangeEventHeader,
        transactionKey: typeof create.payload.ChangeEventHeader.transactionKey,
        commitTimestamp: typeof create.payload.ChangeEventHeader.commitTimestamp,
      },
      {
        entityName: 'Contact',
        recordIds: [created.id],
        changeType: 'CREATE',
        changedFields: [],
        nulledFields: [],
        diffFields: [],
        changeOrigin: 'com/salesforce/api/rest/60.0;client=concord',
        transactionKey: 'string',
        sequenceNumber: 1,
        commitTimestamp: 'number',
        commitNumber: 1,
        commitUser: me.userId,
      },
    );
    assert.equal(create.channel, '/data/ContactChangeEvent');
    assert.equal(create.payload['LastName'], 'Api');
    const header = update.payload.ChangeEventHeader;
    assert.equal(header.changeType, 'UPDATE');
    assert.equal(header.changeOrigin, '');
    assert.equal(header.commitUser, admin.identity().adminUserId);
    assert.deepEqual([...header.changedFields].sort(), [
      'Email',
      'LastModifiedById',
      'LastModifiedDate',
      'Title',
    ]);
    assert.deepEqual(header.nulledFields, ['Email']);
    assert.equal(update.payload['Title'], 'CEO');
    assert.equal('LastName' in update.payload, false, 'an update carries only changed fields');
    assert.ok(update.replayId > create.replayId);
  });

  test('one collection call is one transaction: shared transactionKey, increasing sequenceNumber', async (t) => {
    const { admin, sf } = await emulated(t);
    await sf.create('Lead', [
      { LastName: 'A', Company: 'C' },
      { LastName: 'B', Company: 'C' },
    ]);
    const headers = admin.cdc.events().map((e) => e.payload.ChangeEventHeader);
    assert.equal(headers.length, 2);
    assert.equal(headers[0]!.transactionKey, headers[1]!.transactionKey);
    assert.deepEqual(
      headers.map((h) => h.sequenceNumber),
      [1, 2],
    );
    assert.equal(headers[0]!.commitNumber, headers[1]!.commitNumber);
  });

  test('ChangeFeedPort: replay -2 then live events, heartbeats ignored, resumes after a replayId', async (t) => {
    const { admin, feed, sf } = await emulated(t, { changeDataCapture: { heartbeatMs: 5 } });
    const [first] = admin.seed('Account', [{ Name: 'Before' }]);
    const seen = collect(feed, ['Account'], 'earliest', (events) => events.length >= 3);
    // Writes after subscribing arrive live; Contact is filtered out by `entities`.
    await sf.create('Contact', [{ LastName: 'Other entity' }]);
    await sf.create('Account', [{ Name: 'Live' }]);
    admin.deleteRecord('Account', first!);
    const events = await seen;
    assert.deepEqual(
      events.map((e) => e.changeType),
      ['create', 'create', 'delete'],
    );
    assert.deepEqual(
      events.map((e) => e.origin.client),
      [undefined, 'concord', undefined],
    );
    assert.equal(events[1]!.fields['Name'], 'Live');

    const resumed = collect(feed, ['Account'], events[1]!.replayId, (e) => e.length >= 1);
    assert.deepEqual(
      (await resumed).map((e) => e.changeType),
      ['delete'],
    );
  });

  test('gap and overflow events injected by admin', async (t) => {
    const { admin, feed } = await emulated(t);
    const [id] = admin.seed('Contact', [{ LastName: 'X' }]);
    const seen = collect(feed, ['Contact'], String(admin.cdc.latestReplayId()), (e) => e.length >= 2);
    admin.cdc.injectGap({ entity: 'Contact', recordIds: [id!], changeType: 'GAP_UPDATE' });
    admin.cdc.injectOverflow('Contact');
    const [gap, overflow] = await seen;
    assert.deepEqual([gap?.changeType, gap?.gapOf, gap?.recordIds], ['gap', 'update', [id]]);
    assert.deepEqual(gap?.fields, {});
    assert.deepEqual([overflow?.changeType, overflow?.recordIds], ['overflow', ['000000000000000AAA']]);
  });

  test('72 h retention: old replay ids are invalid, -2 replays only what is retained', async (t) => {
    const { admin, url } = await emulated(t);
    admin.seed('Contact', [{ LastName: 'Old' }]);
    const oldReplay = admin.cdc.latestReplayId();
    admin.advanceTime(73 * 3_600_000);
    admin.seed('Contact', [{ LastName: 'New' }]);
    const headers = { authorization: `Bearer ${await token(url)}` };
    const stale = await fetch(`${url}/__emulator/cdc/events?after=${oldReplay - 1}`, { headers });
    assert.equal(stale.status, 400);
    assert.match(
      ((await stale.json()) as Array<{ message: string }>)[0]!.message,
      /replayId \{0\} you provided was invalid/,
    );
    const all = (await (await fetch(`${url}/__emulator/cdc/events?after=-2`, { headers })).json()) as {
      events: CdcEvent[];
    };
    assert.deepEqual(
      all.events.map((e) => e.payload['LastName']),
      ['New'],
    );
    const noToken = await fetch(`${url}/__emulator/cdc/events?after=-2`);
    assert.equal(noToken.status, 401);
  });

  test('configured entities only; undelete is published', async (t) => {
    const { admin } = await emulated(t, { changeDataCapture: { entities: ['Lead'] } });
    admin.seed('Contact', [{ LastName: 'Quiet' }]);
    const [lead] = admin.seed('Lead', [{ LastName: 'Loud', Company: 'C' }]);
    admin.deleteRecord('Lead', lead!);
    admin.undelete('Lead', lead!);
    assert.deepEqual(
      admin.cdc
        .events()
        .map((e) => `${e.payload.ChangeEventHeader.entityName}:${e.payload.ChangeEventHeader.changeType}`),
      ['Lead:CREATE', 'Lead:DELETE', 'Lead:UNDELETE'],
    );
  });
});

describe('SOQL polling on SystemModstamp (the default trigger)', { skip: EMULATOR_ONLY }, () => {
  test('overlapping window, deduped on (Id, SystemModstamp), cursor returned not stored', async (t) => {
    const { admin, sf } = await emulated(t);
    const [a, b] = admin.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
    const start: PollCursor = { modstamp: null, ids: [] };
    const first = await pollChanges({
      port: sf,
      object: 'Contact',
      fields: ['LastName'],
      since: start,
      overlapMs: 60_000,
    });
    assert.deepEqual(
      first.records.map((r) => r.Id),
      [a, b].sort(),
    );
    assert.equal(first.hasMore, false);

    const again = await pollChanges({
      port: sf,
      object: 'Contact',
      fields: ['LastName'],
      since: first.cursor,
    });
    assert.deepEqual(again.records, [], 'the overlap re-reads but dedupes');

    admin.advanceTime(1_000);
    admin.update('Contact', a!, { LastName: 'A2' });
    const changed = await pollChanges({
      port: sf,
      object: 'Contact',
      fields: ['LastName'],
      since: again.cursor,
    });
    assert.deepEqual(
      changed.records.map((r) => [r.Id, r['LastName']]),
      [[a, 'A2']],
    );
    assert.ok(Date.parse(changed.cursor.modstamp!) > Date.parse(first.cursor.modstamp!));

    admin.advanceTime(120_000);
    const later = await pollChanges({
      port: sf,
      object: 'Contact',
      fields: ['LastName'],
      since: changed.cursor,
      overlapMs: 60_000,
    });
    assert.deepEqual(later.records, []);
    assert.deepEqual(later.cursor, changed.cursor, 'nothing new: the cursor stays');
  });

  test('a full page says hasMore; paging by cursor reaches every record', async (t) => {
    const { admin, sf } = await emulated(t);
    for (let i = 0; i < 5; i++) {
      admin.seed('Lead', [{ LastName: `L${i}`, Company: 'C' }]);
      admin.advanceTime(1_000);
    }
    let cursor: PollCursor = { modstamp: null, ids: [] };
    const seen: string[] = [];
    for (let round = 0; round < 10; round++) {
      const page = await pollChanges({
        port: sf,
        object: 'Lead',
        fields: ['LastName'],
        since: cursor,
        overlapMs: 500,
        limit: 2,
      });
      seen.push(...page.records.map((r) => String(r['LastName'])));
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    assert.deepEqual(seen, ['L0', 'L1', 'L2', 'L3', 'L4']);
  });
});
