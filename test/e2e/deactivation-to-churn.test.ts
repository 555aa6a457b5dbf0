import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getState, type JobRow, listAudit, listJobs } from '../../src/store/index.js';
import { EVENT_STREAM_AUTHORIZATION, type Harness, startHarness, TENANT } from '../support/harness.js';
import { deliver, isSalesforceWrite, jobOf } from '../support/emulator-counts.js';

const ADMIN = { authorization: 'Bearer test-admin-token-0123456789' };
const DAY_MS = 86_400_000;

const writes = (h: Harness) => h.sf.admin.requests().filter(isSalesforceWrite).length;
const tasksOf = (h: Harness, contactId: string) =>
  h.sf.admin.all('Task').filter((t) => t['WhoId'] === contactId && t['IsDeleted'] !== true);
const ownerTasks = (h: Harness, contactId: string) =>
  tasksOf(h, contactId).filter((t) => t['Status'] === 'Not Started');
const notes = (h: Harness, contactId: string) =>
  tasksOf(h, contactId).filter((t) => t['Status'] === 'Completed');

async function replay(h: Harness, job: JobRow) {
  const response = await fetch(`${h.url}/admin/jobs/${job.id}/replay`, { method: 'POST', headers: ADMIN });
  assert.equal(response.status, 202);
  await h.settled();
  return (await listJobs(h.service.db, { pipeline: job.pipeline, limit: 10_000 })).find(
    (j) => j.id === job.id,
  )!;
}

function repId(h: Harness): string {
  const rep = h.sf.admin.all('User').find((u) => u['Username'] === 'rep@acme.example');
  assert.ok(rep);
  return rep.Id;
}

/** An Account owned by the rep, its Contact, and an Auth0 user that signup-to-lead links to that Contact. */
async function customer(h: Harness, email: string, extra: Record<string, unknown> = {}) {
  const [accountId] = h.sf.admin.seed('Account', [{ Name: `Account of ${email}`, OwnerId: repId(h) }]);
  const [contactId] = h.sf.admin.seed('Contact', [
    { LastName: 'Customer', Email: email, AccountId: accountId },
  ]);
  const user = h.auth0.admin.signup({ email, family_name: 'Customer', ...extra });
  await deliver(h, h.lastLog('ss'));
  assert.equal(h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'], user.user_id, 'linked by signup');
  return { user, accountId: accountId!, contactId: contactId! };
}

const PIPELINES = [
  { name: 'signups', template: 'signup-to-lead', params: { object: 'Contact' } },
  { name: 'churn', template: 'deactivation-to-churn', params: { taskPriority: 'High' } },
  { name: 'profiles', template: 'profile-to-contact' },
];

describe('deactivation-to-churn end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: PIPELINES,
      salesforce: { users: [{ username: 'rep@acme.example' }] },
    });
  });
  after(async () => h?.close());

  test('block → Blocked, a note and one Task for the Account owner; duplicates and replays send nothing', async () => {
    const { user, accountId, contactId } = await customer(h, 'block@initech.example');
    const dayBefore = new Date(Date.now() + 3 * DAY_MS).toISOString().slice(0, 10);
    h.auth0.admin.blockUser(user.user_id);
    const block = h.lastLog('sapi');
    await deliver(h, block, block);
    const dayAfter = new Date(Date.now() + 3 * DAY_MS).toISOString().slice(0, 10);

    assert.equal(h.sf.admin.get('Contact', contactId)?.['Auth0_Status__c'], 'Blocked');
    const [note] = notes(h, contactId);
    assert.equal(notes(h, contactId).length, 1);
    assert.equal(note?.['Subject'], 'Auth0 user blocked');
    const tasks = ownerTasks(h, contactId);
    assert.equal(tasks.length, 1);
    const task = tasks[0]!;
    assert.equal(task['OwnerId'], repId(h), 'owner = Account owner');
    assert.equal(task['WhatId'], accountId, 'WhatId = Account');
    assert.equal(task['Priority'], 'High');
    assert.ok([dayBefore, dayAfter].includes(String(task['ActivityDate'])), 'due in 3 days');
    assert.match(String(task['Concord_Key__c']), /^churn:.*:blocked:owner-task$/);

    const before = writes(h);
    const replayed = await replay(h, await jobOf(h, 'churn', block.log_id));
    assert.equal(replayed.outcome, 'applied');
    assert.match(replayed.reason ?? '', /nothing sent/);
    assert.equal(writes(h) - before, 0, 'zero writes at the emulator');
    assert.equal(tasksOf(h, contactId).length, 2);

    h.auth0.admin.unblockUser(user.user_id);
    await deliver(h, h.lastLog('sapi'));
    assert.equal(h.sf.admin.get('Contact', contactId)?.['Auth0_Status__c'], 'Active');
    assert.equal(ownerTasks(h, contactId).length, 1, 'no Task for an unblock');
    assert.deepEqual(
      notes(h, contactId)
        .map((t) => t['Subject'])
        .sort(),
      ['Auth0 user blocked', 'Auth0 user unblocked'],
    );
  });

  test('block and unblock delivered in reverse order end Active, with no Task for the stale block', async () => {
    const { user, contactId } = await customer(h, 'flip@initech.example');
    h.auth0.admin.blockUser(user.user_id);
    const block = h.lastLog('sapi');
    h.auth0.admin.unblockUser(user.user_id);
    const unblock = h.lastLog('sapi');
    await deliver(h, unblock, block);
    assert.equal(h.sf.admin.get('Contact', contactId)?.['Auth0_Status__c'], 'Active');
    assert.equal(ownerTasks(h, contactId).length, 0);
    assert.match(
      (await jobOf(h, 'churn', block.log_id)).reason ?? '',
      /the event said blocked; the user is unblocked now/,
    );
  });

  test('a deletion reported by the log stream and by Event Streams sets Deleted once, with one Task', async () => {
    const { user, contactId } = await customer(h, 'gone@initech.example');
    const stream = h.auth0.admin.addEventStream({
      url: `${h.url}/hooks/auth0/${TENANT}/events`,
      auth: { method: 'bearer', token: EVENT_STREAM_AUTHORIZATION.replace('Bearer ', '') },
      duplicateEvery: 1,
    });
    h.auth0.admin.deleteUser(user.user_id);
    await h.auth0.admin.flushEventStreams();
    h.auth0.admin.removeEventStream(stream);
    await deliver(h, h.lastLog('sapi'));

    assert.equal(h.sf.admin.get('Contact', contactId)?.['Auth0_Status__c'], 'Deleted');
    assert.equal(ownerTasks(h, contactId).length, 1);
    assert.equal(notes(h, contactId).length, 1);
    const jobs = (await listJobs(h.service.db, { pipeline: 'churn', limit: 10_000 })).filter(
      (j) => j.subject === `user:${user.user_id}` && JSON.parse(j.event).kind === 'user.deleted',
    );
    assert.ok(jobs.length >= 2, 'both sources delivered the deletion');
    assert.equal(jobs.filter((j) => /nothing sent/.test(j.reason ?? '')).length, jobs.length - 1);
  });

  test('a self-deletion (sdu) of a Contact without an Account: the Task goes to the Contact owner', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [{ LastName: 'Solo', Email: 'solo@nowhere.example' }]);
    const user = h.auth0.admin.signup({ email: 'solo@nowhere.example', family_name: 'Solo' });
    await deliver(h, h.lastLog('ss'));
    h.auth0.admin.selfDeleteUser(user.user_id, 'sdu');
    await deliver(h, h.lastLog('sdu'));
    const contact = h.sf.admin.get('Contact', contactId!)!;
    assert.equal(contact['Auth0_Status__c'], 'Deleted');
    const [task] = ownerTasks(h, contactId!);
    assert.equal(task?.['OwnerId'], contact['OwnerId']);
    assert.equal(task?.['WhatId'] ?? null, null);
  });

  test('unknown users and Contacts in the recycle bin are filtered with the reason', async () => {
    const stranger = h.auth0.admin.seedUser({ email: 'stranger@nowhere.example' });
    h.auth0.admin.selfDeleteUser(stranger.user_id, 'du');
    const du = h.lastLog('du');
    const { user, contactId } = await customer(h, 'binned@initech.example');
    h.sf.admin.deleteRecord('Contact', contactId);
    h.auth0.admin.blockUser(user.user_id);
    const block = h.lastLog('sapi');
    const before = writes(h);
    await deliver(h, du, block);
    assert.equal(writes(h) - before, 0);
    const unknown = await jobOf(h, 'churn', du.log_id);
    assert.equal(unknown.outcome, 'filtered');
    assert.match(unknown.reason ?? '', /no linked Contact/);
    const binned = await jobOf(h, 'churn', block.log_id);
    assert.equal(binned.outcome, 'filtered');
    assert.match(binned.reason ?? '', new RegExp(`linked Contact ${contactId} no longer exists`));
  });

  test('a user deleted in Auth0 while a profile write is pending: the profile job is filtered, the deletion applies', async () => {
    const { user, contactId } = await customer(h, 'pending@initech.example');
    h.sf.admin.faults.inject({
      match: { kind: 'collections.update' },
      hold: true,
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'Service Unavailable',
      times: 1,
    });
    h.auth0.admin.updateUser(user.user_id, { user_metadata: { title: 'Pending' } });
    const change = h.lastLog('sapi');
    assert.equal((await h.post(JSON.stringify([change]))).status, 200);
    await h.sf.admin.faults.whenHeld(1);
    h.auth0.admin.deleteUser(user.user_id);
    h.sf.admin.faults.release();
    await deliver(h, h.lastLog('sapi'));

    const profile = await jobOf(h, 'profiles', change.log_id);
    assert.equal(profile.outcome, 'filtered');
    assert.match(profile.reason ?? '', /no longer exists in Auth0/);
    assert.ok(profile.attempts >= 2, 'the first attempt failed');
    const contact = h.sf.admin.get('Contact', contactId)!;
    assert.equal(contact['Auth0_Status__c'], 'Deleted');
    assert.equal(contact['Title'] ?? null, null, 'the pending change never landed');
  });
});

describe('deactivation-to-churn with an erasure policy', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: [
        PIPELINES[0]!,
        {
          name: 'churn',
          template: 'deactivation-to-churn',
          params: { deletedValue: 'Inactive', erasure: { enabled: true } },
        },
      ],
      salesforce: { users: [{ username: 'rep@acme.example' }] },
    });
  });
  after(async () => h?.close());

  test('deletion anonymises the Contact, keeps a receipt without personal data, and replays send nothing', async () => {
    const { user, contactId } = await customer(h, 'erase.me@private.example', {
      given_name: 'Erasmus',
      family_name: 'Privatus',
      phone_number: '+14155550177',
    });
    h.sf.admin.update('Contact', contactId, { Title: 'Chief Secret Officer', MobilePhone: '+14155550178' });
    h.auth0.admin.deleteUser(user.user_id);
    const deletion = h.lastLog('sapi');
    await deliver(h, deletion);

    const contact = h.sf.admin.get('Contact', contactId)!;
    assert.equal(contact['Auth0_Status__c'], 'Inactive');
    assert.equal(contact['LastName'], 'anonymised', 'required: replaced, not nulled');
    assert.equal(contact['FirstName'], 'anonymised');
    assert.equal(contact['Title'], 'anonymised');
    assert.equal(contact['Email'] ?? null, null);
    assert.equal(contact['Phone'] ?? null, null);
    assert.equal(contact['MobilePhone'] ?? null, null);
    assert.equal(contact['Auth0_User_Id__c'], user.user_id, 'the pseudonymous id stays, so replays find it');
    assert.equal(ownerTasks(h, contactId).length, 1);

    const job = await jobOf(h, 'churn', deletion.log_id);
    assert.match(
      job.reason ?? '',
      /erasure receipt: anonymised Contact \w+ fields FirstName, LastName, Email, Phone, MobilePhone, Title/,
    );
    const receipt = await getState<{ contactId: string; fields: string[] }>(
      h.service.db,
      'churn',
      `erasure:${user.user_id}`,
    );
    assert.equal(receipt?.contactId, contactId);
    assert.deepEqual(receipt?.fields, ['FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title']);

    const audit = JSON.stringify(await listAudit(h.service.db, { limit: 10_000 }));
    assert.match(audit, /erasure receipt/);
    for (const pii of ['erase.me', 'Erasmus', 'Privatus', '4155550177', '4155550178', 'Secret']) {
      assert.ok(!audit.includes(pii), `the audit trail holds no "${pii}"`);
    }

    const before = writes(h);
    const replayed = await replay(h, job);
    assert.match(replayed.reason ?? '', /erasure already applied, nothing sent/);
    assert.equal(writes(h) - before, 0);
  });
});
