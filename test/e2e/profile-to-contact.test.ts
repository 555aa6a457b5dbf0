import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_STREAM_AUTHORIZATION, type Harness, startHarness, TENANT } from '../support/harness.js';
import { deliver, isSalesforceWrite, jobOf } from '../support/emulator-counts.js';

/** Salesforce writes Concord sent (every non-GET API call; the token endpoint is not a write). */
const writes = (h: Harness) => h.sf.admin.requests().filter(isSalesforceWrite).length;
const contactsOf = (h: Harness, userId: string) =>
  h.sf.admin.all('Contact').filter((r) => r['Auth0_User_Id__c'] === userId && r['IsDeleted'] !== true);

/** A signup that signup-to-lead turns into (or links to) a Contact, so the user is linked first. */
async function linkedUser(h: Harness, input: Parameters<Harness['auth0']['admin']['signup']>[0]) {
  const user = h.auth0.admin.signup(input);
  await deliver(h, h.lastLog('ss'));
  return user;
}

describe('profile-to-contact end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: [
        { name: 'signups', template: 'signup-to-lead', params: { object: 'Contact' } },
        {
          name: 'profiles',
          template: 'profile-to-contact',
          params: { accountFields: { Name: 'user_metadata.company' } },
        },
      ],
    });
  });
  after(async () => h?.close());

  test('changes delivered twice and out of order update only what changed, from the current user, once', async () => {
    const user = await linkedUser(h, {
      email: 'ada@engines.example',
      given_name: 'Ada',
      family_name: 'Byron',
    });
    const [contact] = contactsOf(h, user.user_id);
    assert.ok(contact, 'signup-to-lead created the Contact');

    h.auth0.admin.updateUser(user.user_id, { user_metadata: { title: 'Analyst' } });
    const first = h.lastLog('sapi');
    h.auth0.admin.updateUser(user.user_id, { family_name: 'Lovelace', phone_number: '+14155550123' });
    const second = h.lastLog('sapi');
    const before = writes(h);
    await deliver(h, second, first, first);
    await deliver(h, first, second);

    const after = h.sf.admin.get('Contact', contact.Id)!;
    assert.equal(after['LastName'], 'Lovelace');
    assert.equal(after['Title'], 'Analyst');
    assert.equal(after['Phone'], '+14155550123');
    assert.equal(after['FirstName'], 'Ada');
    assert.equal(writes(h) - before, 1, 'the first job re-read the user and sent both changes in one update');
    assert.equal((await jobOf(h, 'profiles', second.log_id)).outcome, 'applied');
    const late = await jobOf(h, 'profiles', first.log_id);
    assert.equal(late.outcome, 'applied');
    assert.match(late.reason ?? '', /already holds these values, nothing sent/);
  });

  test('a backlog of one user’s changes costs one read of the user; a change after that read is read again', async () => {
    const user = await linkedUser(h, { email: 'mary@somerville.example', family_name: 'Fairfax' });
    const [contact] = contactsOf(h, user.user_id);
    assert.ok(contact);
    const userReads = () => h.auth0.admin.counters().byEndpoint['GET /api/v2/users/{id}'] ?? 0;

    const backlog = [];
    for (const title of ['Tutor', 'Author', 'Fellow']) {
      h.auth0.admin.updateUser(user.user_id, { user_metadata: { title } });
      backlog.push(h.lastLog('sapi'));
    }
    const before = userReads();
    await deliver(h, ...backlog);
    assert.equal(userReads() - before, 1, 'three jobs, run one after another, shared one read');
    assert.equal(h.sf.admin.get('Contact', contact.Id)!['Title'], 'Fellow');
    for (const record of backlog) {
      assert.equal((await jobOf(h, 'profiles', record.log_id)).outcome, 'applied');
    }

    h.auth0.admin.updateUser(user.user_id, { family_name: 'Somerville' });
    await deliver(h, h.lastLog('sapi'));
    assert.equal(userReads() - before, 2, 'an event that arrived after the read is planned on a new one');
    assert.equal(h.sf.admin.get('Contact', contact.Id)!['LastName'], 'Somerville');
  });

  test('a change Salesforce would not see (unmapped field, reformatted phone, email case) sends nothing', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [
      {
        LastName: 'Hamilton',
        FirstName: 'Margaret',
        Email: 'Margaret@Apollo.example',
        Phone: '(617) 555-0142',
      },
    ]);
    const user = await linkedUser(h, {
      email: 'margaret@apollo.example',
      given_name: 'Margaret',
      family_name: 'Hamilton',
    });
    assert.equal(
      h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'],
      user.user_id,
      'linked by email',
    );

    const before = writes(h);
    h.auth0.admin.updateUser(user.user_id, { app_metadata: { plan: 'gold' }, phone_number: '+16175550142' });
    const change = h.lastLog('sapi');
    await deliver(h, change);
    assert.equal(writes(h) - before, 0, 'zero writes at the emulator');
    const job = await jobOf(h, 'profiles', change.log_id);
    assert.equal(job.outcome, 'applied');
    assert.match(job.reason ?? '', /nothing sent/);
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['Phone'], '(617) 555-0142');
  });

  test('mapped Account fields are written to the Contact’s Account, only when they change', async () => {
    const [accountId] = h.sf.admin.seed('Account', [{ Name: 'Old Name Ltd' }]);
    const [contactId] = h.sf.admin.seed('Contact', [
      { LastName: 'Shannon', Email: 'claude@bell.example', AccountId: accountId },
    ]);
    const user = await linkedUser(h, { email: 'claude@bell.example', family_name: 'Shannon' });
    h.auth0.admin.updateUser(user.user_id, { user_metadata: { company: 'Bell Labs' } });
    await deliver(h, h.lastLog('sapi'));
    assert.equal(h.sf.admin.get('Account', accountId!)?.['Name'], 'Bell Labs');
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['LastName'], 'Shannon');

    const before = writes(h);
    h.auth0.admin.updateUser(user.user_id, { user_metadata: { company: 'Bell Labs' } });
    await deliver(h, h.lastLog('sapi'));
    assert.equal(writes(h) - before, 0);
  });

  test('a converted Lead resolves to its Contact', async () => {
    const [leadId] = h.sf.admin.seed('Lead', [
      { LastName: 'Hopper', Company: 'Navy', Email: 'grace@navy.example' },
    ]);
    const user = await linkedUser(h, {
      email: 'grace@navy.example',
      given_name: 'Grace',
      family_name: 'Hopper',
    });
    assert.equal(
      h.sf.admin.get('Lead', leadId!)?.['Auth0_User_Id__c'],
      user.user_id,
      'signup linked the Lead',
    );
    const { contactId } = h.sf.admin.convertLead(leadId!);

    h.auth0.admin.updateUser(user.user_id, { user_metadata: { title: 'Rear Admiral' } });
    const change = h.lastLog('sapi');
    await deliver(h, change);
    const contact = h.sf.admin.get('Contact', contactId)!;
    assert.equal(contact['Title'], 'Rear Admiral');
    assert.equal(contact['Auth0_User_Id__c'], user.user_id, 'the Contact now carries the id too');
    assert.match((await jobOf(h, 'profiles', change.log_id)).reason ?? '', /converted to Contact/);
  });

  test('a Contact in the recycle bin is missing: filtered with the reason, nothing recreated', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [{ LastName: 'Turing', Email: 'alan@bletchley.example' }]);
    const user = await linkedUser(h, { email: 'alan@bletchley.example', family_name: 'Turing' });
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'], user.user_id);
    h.sf.admin.deleteRecord('Contact', contactId!);

    const before = writes(h);
    h.auth0.admin.updateUser(user.user_id, { user_metadata: { title: 'Mathematician' } });
    const change = h.lastLog('sapi');
    await deliver(h, change);
    const job = await jobOf(h, 'profiles', change.log_id);
    assert.equal(job.outcome, 'filtered');
    assert.match(job.reason ?? '', new RegExp(`linked Contact ${contactId} no longer exists`));
    assert.match(job.reason ?? '', /createIfMissing is off/);
    assert.doesNotMatch(job.reason ?? '', /bletchley|Turing/, 'no personal data in the reason');
    assert.equal(writes(h) - before, 0);
    assert.equal(contactsOf(h, user.user_id).length, 0);
  });

  test('unknown users: never linked → filtered; no longer in Auth0 → filtered', async () => {
    const seeded = h.auth0.admin.seedUser({ email: 'stranger@nowhere.example' });
    h.auth0.admin.updateUser(seeded.user_id, { given_name: 'Stranger' });
    const unlinked = h.lastLog('sapi');
    const gone = JSON.parse(
      JSON.stringify(unlinked).replaceAll(encodeURIComponent(seeded.user_id), 'auth0%7Cnobody'),
    );
    gone.log_id = `${unlinked.log_id.slice(0, -3)}999`;
    const before = writes(h);
    await deliver(h, unlinked, gone);
    const a = await jobOf(h, 'profiles', unlinked.log_id);
    assert.equal(a.outcome, 'filtered');
    assert.match(a.reason ?? '', /no linked Contact to update/);
    const b = await jobOf(h, 'profiles', gone.log_id);
    assert.equal(b.outcome, 'filtered');
    assert.match(b.reason ?? '', /no longer exists in Auth0/);
    assert.equal(writes(h) - before, 0);
  });

  test('Event Streams user.updated drives the same update', async () => {
    const user = await linkedUser(h, { email: 'katherine@nasa.example', family_name: 'Johnson' });
    const stream = h.auth0.admin.addEventStream({
      url: `${h.url}/hooks/auth0/${TENANT}/events`,
      auth: { method: 'bearer', token: EVENT_STREAM_AUTHORIZATION.replace('Bearer ', '') },
      duplicateEvery: 1,
    });
    h.auth0.admin.updateUser(user.user_id, { given_name: 'Katherine' });
    await h.auth0.admin.flushEventStreams();
    await h.settled();
    h.auth0.admin.removeEventStream(stream);
    assert.equal(contactsOf(h, user.user_id)[0]?.['FirstName'], 'Katherine');
  });
});

describe('profile-to-contact options', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: [
        {
          name: 'profiles',
          template: 'profile-to-contact',
          params: {
            matchBy: ['email'],
            emailMatch: 'any',
            createIfMissing: true,
            fields: { Phone: null, MobilePhone: 'phone_number' },
          },
        },
      ],
    });
  });
  after(async () => h?.close());

  test('matchBy email adopts an unlinked Contact; two of them are quarantined; createIfMissing creates one', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [{ LastName: 'Noether', Email: 'emmy@math.example' }]);
    const emmy = h.auth0.admin.seedUser({ email: 'emmy@math.example', family_name: 'Noether' });
    h.auth0.admin.updateUser(emmy.user_id, { phone_number: '+4930555012' });
    await deliver(h, h.lastLog('sapi'));
    const adopted = h.sf.admin.get('Contact', contactId!)!;
    assert.equal(adopted['Auth0_User_Id__c'], emmy.user_id);
    assert.equal(adopted['MobilePhone'], '+4930555012');
    assert.equal(adopted['Phone'] ?? null, null, 'Phone mapping dropped by the override');

    h.sf.admin.seed('Contact', [
      { LastName: 'Twin', Email: 'twin@dup.example' },
      { LastName: 'Twin', Email: 'TWIN@dup.example' },
    ]);
    const twin = h.auth0.admin.seedUser({ email: 'twin@dup.example' });
    h.auth0.admin.updateUser(twin.user_id, { given_name: 'T' });
    const twinChange = h.lastLog('sapi');
    await deliver(h, twinChange);
    assert.equal((await jobOf(h, 'profiles', twinChange.log_id)).outcome, 'quarantined');

    const fresh = h.auth0.admin.seedUser({ email: 'fresh@new.example' });
    h.auth0.admin.updateUser(fresh.user_id, { given_name: 'Fresh' });
    await deliver(h, h.lastLog('sapi'));
    const created = contactsOf(h, fresh.user_id);
    assert.equal(created.length, 1);
    assert.equal(created[0]?.['FirstName'], 'Fresh');
    assert.equal(created[0]?.['LastName'], '[not provided]');
  });
});
