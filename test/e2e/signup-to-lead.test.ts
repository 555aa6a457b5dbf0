import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countInbox, listAudit, listIntents, listJobs, listQuarantine } from '../../src/store/index.js';
import { AUTHORIZATION, type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';
import { isSalesforceWrite } from '../support/emulator-counts.js';

const liveLeads = (h: Harness) => h.sf.admin.all('Lead').filter((r) => r['IsDeleted'] !== true);
const byExternalId = (h: Harness, object: string, id: string) =>
  h.sf.admin.all(object).filter((r) => r['Auth0_User_Id__c'] === id);

describe('signup-to-lead end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ params: { leadSource: 'Web Signup' } });
  });
  after(async () => h?.close());

  test('one signup delivered three times, in three formats, out of order with other records → one Lead', async () => {
    const user = h.auth0.admin.signup({
      email: 'Marie.Curie@Radium.example',
      given_name: 'Marie',
      family_name: 'Curie',
      user_metadata: { company: 'Radium Institute' },
    });
    const signup = h.lastLog('ss');
    const other = h.auth0.admin.signup({
      email: 'pierre@radium.example',
      given_name: 'Pierre',
      family_name: 'Curie',
    });
    const otherSignup = h.lastLog('ss');
    const unknown = {
      log_id: '90020261127000000000000000000000000000000000000000000001',
      data: { type: 'brand_new_type', date: '2026-11-27T00:00:00.000Z' },
    };

    const r1 = await h.post(JSON.stringify([otherSignup, unknown, signup]));
    assert.equal(r1.status, 200);
    assert.deepEqual(await r1.json(), { received: 3, stored: 3, duplicates: 0 });
    const r2 = await h.post(`${JSON.stringify(signup)}\n${JSON.stringify(otherSignup)}\n`); // JSONLINES
    assert.deepEqual(await r2.json(), { received: 2, stored: 0, duplicates: 2 });
    const r3 = await h.post(JSON.stringify(signup)); // JSONOBJECT
    assert.deepEqual(await r3.json(), { received: 1, stored: 0, duplicates: 1 });
    await h.settled();

    const leads = byExternalId(h, 'Lead', user.user_id);
    assert.equal(leads.length, 1, 'exactly one Lead for the user');
    const lead = leads[0]!;
    assert.equal(lead['FirstName'], 'Marie');
    assert.equal(lead['LastName'], 'Curie');
    assert.equal(lead['Email'], 'marie.curie@radium.example', 'Auth0 stores database emails in lower case');
    assert.equal(lead['Company'], 'Radium Institute');
    assert.equal(lead['LeadSource'], 'Web Signup');
    assert.equal(byExternalId(h, 'Lead', other.user_id).length, 1);

    const jobs = await listJobs(h.service.db, { limit: 1000 });
    const unknownJob = jobs.find((j) => j.reason?.includes('brand_new_type'));
    assert.equal(unknownJob?.outcome, 'filtered', 'unknown log types are stored and filtered');
    assert.equal(jobs.filter((j) => j.outcome === 'applied').length, 2);
  });

  test('an existing Contact with the same email in another letter case is linked and updated, not duplicated', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [
      { LastName: 'Lovelace', Email: 'ADA@Analytical.example' },
    ]);
    const leadsBefore = liveLeads(h).length;
    const user = h.auth0.admin.signup({
      email: 'ada@analytical.example',
      given_name: 'Ada',
      family_name: 'Lovelace',
    });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();

    const contact = h.sf.admin.get('Contact', contactId!);
    assert.equal(contact?.['Auth0_User_Id__c'], user.user_id);
    assert.equal(contact?.['FirstName'], 'Ada', 'mapped field filled in');
    assert.equal(
      contact?.['Email'],
      'ADA@Analytical.example',
      'a change of letter case alone is not written',
    );
    assert.equal(liveLeads(h).length, leadsBefore, 'no Lead created');
    const audit = await listAudit(h.service.db, { limit: 1000 });
    const linked = audit.find((a) => a.action === 'identity.linked' && a.summary.includes(contactId!));
    assert.ok(linked, 'the link is in the audit trail');
    assert.match(JSON.stringify(linked.data), /email/);
  });

  test('a converted Lead resolves to its Contact', async () => {
    const [leadId] = h.sf.admin.seed('Lead', [
      { LastName: 'Hopper', Company: 'Navy', Email: 'grace@navy.example' },
    ]);
    const { contactId } = h.sf.admin.convertLead(leadId!);
    // the Contact's email was changed since: only the converted Lead still carries the signup's email
    h.sf.admin.update('Contact', contactId, { Email: 'g.hopper@navy.example' });
    const leadsBefore = liveLeads(h).length;
    const user = h.auth0.admin.signup({
      email: 'grace@navy.example',
      given_name: 'Grace',
      family_name: 'Hopper',
    });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    assert.equal(h.sf.admin.get('Contact', contactId)?.['Auth0_User_Id__c'], user.user_id);
    assert.equal(liveLeads(h).length, leadsBefore);
    const applied = h.outcomes.find((o) => o.writes.some((w) => w.id === contactId));
    assert.match(applied?.reason ?? '', /converted/);
  });

  test('a phone-only match links the Contact whose phone is written differently', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [
      { LastName: 'Johnson', Email: 'kj@nasa.example', Phone: '(415) 555-0199' },
    ]);
    const user = h.auth0.admin.signup({
      email: 'katherine@other.example',
      family_name: 'Johnson',
      phone_number: '+14155550199',
    });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'], user.user_id);
    const applied = h.outcomes.find((o) => o.writes.some((w) => w.id === contactId));
    assert.match(applied?.reason ?? '', /matched by phone/);
  });

  test('two equally good matches create nothing: quarantined with the reason, then resolved by hand', async () => {
    const ids = h.sf.admin.seed('Contact', [
      { LastName: 'Twin', Email: 'twin@dup.example' },
      { LastName: 'Twin', Email: 'Twin@Dup.example' },
    ]);
    const leadsBefore = liveLeads(h).length;
    const contactsBefore = h.sf.admin.all('Contact').length;
    const user = h.auth0.admin.signup({ email: 'twin@dup.example', family_name: 'Twin' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    assert.equal(liveLeads(h).length, leadsBefore);
    assert.equal(h.sf.admin.all('Contact').length, contactsBefore);
    const [item] = (await listQuarantine(h.service.db)).filter((q) => q.reason.includes('2 Contact'));
    assert.ok(item, 'visible in quarantine');
    assert.match(item.reason, /2 Contact records have the same email/);
    assert.deepEqual(item.candidates.map((c) => c.id).sort(), [...ids].sort());

    // resolve through the admin API; the event is replayed and applied to the chosen record
    const response = await fetch(`${h.url}/admin/quarantine/${item.id}/resolve`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'link', object: 'Contact', recordId: ids[1] }),
    });
    assert.equal(response.status, 202);
    await waitFor(
      () => h.sf.admin.get('Contact', ids[1]!)?.['Auth0_User_Id__c'] === user.user_id,
      'the chosen Contact to be linked',
    );
    assert.equal(h.sf.admin.get('Contact', ids[0]!)?.['Auth0_User_Id__c'] ?? null, null);
  });

  test('signups through the Auth0 log stream, with duplicated and reordered deliveries, become one Lead each', async () => {
    const stream = h.auth0.admin.addLogStream({
      url: h.hookUrl,
      format: 'JSONLINES',
      authorization: AUTHORIZATION,
      duplicateEvery: 2,
      reorder: true,
    });
    const users = [1, 2, 3, 4, 5].map((n) =>
      h.auth0.admin.signup({ email: `stream${n}@example.com`, family_name: `Stream${n}` }),
    );
    await h.auth0.admin.flushLogStreams();
    await h.settled();
    h.auth0.admin.removeLogStream(stream);
    for (const user of users) assert.equal(byExternalId(h, 'Lead', user.user_id).length, 1, user.email);
  });

  test('a social signup (first s, no ss) becomes a Lead; later logins do not touch it', async () => {
    const user = h.auth0.admin.socialLogin({
      provider: 'google-oauth2',
      email: 'social@gmail.example',
      given_name: 'Soc',
      family_name: 'Ial',
    });
    assert.match(user.user_id, /^google-oauth2\|/);
    const first = h.lastLog('s');
    assert.equal(
      h.auth0.admin.logs().filter((l) => l.type === 'ss' && l.user_id === user.user_id).length,
      0,
      'no ss for social signups',
    );
    h.auth0.admin.login(user.user_id);
    const second = h.lastLog('s');
    await h.post(JSON.stringify([second, first]));
    await h.settled();
    const leads = byExternalId(h, 'Lead', user.user_id);
    assert.equal(leads.length, 1);
    assert.equal(leads[0]?.['LastName'], 'Ial');
    const jobs = (await listJobs(h.service.db, { pipeline: 'signups', limit: 1000 })).filter(
      (j) => j.subject === `user:${user.user_id}`,
    );
    assert.equal(jobs.length, 1, 'only the first login is a signup');
  });

  test('bad requests get clear errors and change nothing', async () => {
    await h.settled();
    const before = await countInbox(h.service.db);
    const valid = JSON.stringify([h.lastLog('ss')]);

    const wrongToken = await h.post(valid, { authorization: 'Bearer wrong' });
    assert.equal(wrongToken.status, 401);
    const noToken = await fetch(h.hookUrl, { method: 'POST', body: valid });
    assert.equal(noToken.status, 401);

    const malformed = await h.post('[{"log_id": "1", "data": {');
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { message: string }).message, /not valid JSON/);
    const noLogId = await h.post(JSON.stringify([{ data: { type: 's' } }]));
    assert.equal(noLogId.status, 400);
    assert.match(((await noLogId.json()) as { message: string }).message, /record 0 has no "log_id"/);
    const badLine = await h.post('{"log_id":"1","data":{"type":"s"}}\nnot json\n');
    assert.equal(badLine.status, 400);
    assert.match(((await badLine.json()) as { message: string }).message, /line 2/);

    const huge = JSON.stringify([{ log_id: 'x', data: { type: 's', blob: 'x'.repeat(1024 * 1024 + 10) } }]);
    const tooBig = await h.post(huge);
    assert.equal(tooBig.status, 413);

    const unknownTenant = await fetch(h.hookUrl.replace('/acme/', '/nobody/'), {
      method: 'POST',
      body: valid,
      headers: { authorization: 'x' },
    });
    assert.equal(unknownTenant.status, 401, 'unknown tenants look like wrong tokens: no probing');

    assert.equal(await countInbox(h.service.db), before, 'nothing was stored');
  });
});

describe('signup-to-lead against a struggling Salesforce', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  test('503s and UNABLE_TO_LOCK_ROW delay the write, which then happens once', async () => {
    h.sf.admin.faults.inject({
      match: { kind: 'collections.upsert' },
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'Service Unavailable',
      times: 3,
    });
    h.sf.admin.faults.inject({
      match: { kind: 'collections.upsert' },
      status: 400,
      errorCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record',
      times: 2,
    });
    const user = h.auth0.admin.signup({ email: 'retry@example.com', family_name: 'Retry' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    assert.equal(byExternalId(h, 'Lead', user.user_id).length, 1);
    const [job] = (await listJobs(h.service.db, { outcome: 'applied' })).filter(
      (j) => j.pipeline === 'signups',
    );
    assert.equal(job?.attempts, 6, 'five failed attempts, then success');
    const retries = (await listAudit(h.service.db, { jobId: job!.id })).filter(
      (a) => a.action === 'retry.scheduled',
    );
    assert.equal(retries.length, 5);
    assert.ok(retries.some((r) => r.summary.includes('UNABLE_TO_LOCK_ROW')));
    assert.equal(h.sf.admin.counters().byKind['collections.upsert'], 6);
  });

  test('a non-retryable Salesforce error dead-letters the event with the error', async () => {
    h.sf.admin.faults.inject({
      match: { kind: 'collections.upsert' },
      status: 400,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Company is blocked by a validation rule',
      times: 1,
    });
    h.auth0.admin.signup({ email: 'dead@example.com', family_name: 'Dead' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    const [dead] = await listJobs(h.service.db, { outcome: 'dead_lettered' });
    assert.ok(dead);
    assert.match(dead.reason ?? '', /validation rule/);
    assert.equal(dead.attempts, 1);
  });
});

describe('signup-to-lead in dry-run mode', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ mode: 'dry-run' });
  });
  after(async () => h?.close());

  test('intents are recorded and shown; nothing is written to Salesforce', async () => {
    const writes = () => h.sf.admin.requests().filter(isSalesforceWrite).length;
    const writesBefore = writes();
    const user = h.auth0.admin.signup({ email: 'dry@example.com', given_name: 'Dry', family_name: 'Run' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    assert.equal(byExternalId(h, 'Lead', user.user_id).length, 0);
    const [job] = await listJobs(h.service.db, { outcome: 'dry_run' });
    assert.ok(job, 'outcome dry_run');
    const intents = await listIntents(h.service.db, job.id);
    assert.equal(intents.length, 1);
    assert.equal(intents[0]?.state, 'dry_run');
    assert.equal(
      intents[0]?.summary,
      'upsert Lead by Auth0_User_Id__c (FirstName, LastName, Email, LeadSource, Company)',
    );
    assert.equal(writes(), writesBefore, 'no write calls reached Salesforce');
  });
});
