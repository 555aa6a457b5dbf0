import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type JobRow, listJobs } from '../../src/store/index.js';
import { isSalesforceWrite } from '../support/emulator-counts.js';
import { type Harness, startHarness, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const ADMIN = 'Bearer test-admin-token-0123456789';

describe('auth-events-to-activity end to end', () => {
  let h: Harness;
  let delivered = 0;

  /** Delivers every Auth0 log record written since the last delivery, as one log-stream batch. */
  const deliverNew = async () => {
    const logs = h.auth0.admin.logs();
    const fresh = logs.slice(delivered).map((l) => ({ log_id: l.log_id, data: l }));
    delivered = logs.length;
    const response = await h.post(JSON.stringify(fresh));
    assert.equal(response.status, 200);
    await h.settled();
    return fresh;
  };
  const tasksFor = (whoId: string) => h.sf.admin.all('Task').filter((t) => t['WhoId'] === whoId);
  const activityJobs = async (): Promise<JobRow[]> =>
    listJobs(h.service.db, { pipeline: 'activity', limit: 10_000 });
  const writes = () => h.sf.admin.requests().filter(isSalesforceWrite);
  const linkedContact = (userId: string) =>
    h.sf.admin.all('Contact').find((c) => c['Auth0_User_Id__c'] === userId);

  before(async () => {
    h = await startHarness({
      pipelines: [
        { name: 'signups', template: 'signup-to-lead', params: { object: 'Contact' } },
        { name: 'activity', template: 'auth-events-to-activity' },
      ],
    });
  });
  after(async () => h?.close());

  test('first login → one Task on the Contact and its Account, owned by the Account owner; engagement set', async () => {
    const { adminUserId, integrationUserId } = h.sf.admin.identity();
    const [accountId] = h.sf.admin.seed('Account', [{ Name: 'Analytical Engines' }]);
    const [contactId] = h.sf.admin.seed('Contact', [
      { LastName: 'Lovelace', Email: 'ada@analytical.example', AccountId: accountId },
    ]);
    const ada = h.auth0.admin.signup({ email: 'ada@analytical.example', family_name: 'Lovelace' });
    await deliverNew(); // signup-to-lead links the Contact
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'], ada.user_id);

    h.auth0.admin.login(ada.user_id);
    const login = (await deliverNew()).find((r) => r.data.type === 's');

    const tasks = tasksFor(contactId!);
    assert.equal(tasks.length, 1);
    const task = tasks[0]!;
    assert.equal(task['Subject'], 'First login');
    assert.equal(task['WhatId'], accountId);
    assert.equal(task['OwnerId'], adminUserId, 'the Account owner (the admin seeded it)');
    assert.notEqual(adminUserId, integrationUserId);
    assert.equal(task['Concord_Key__c'], `activity:first-login:${ada.user_id}:${login!.log_id}`);
    const contact = h.sf.admin.get('Contact', contactId!)!;
    assert.equal(Date.parse(String(contact['Last_Login__c'])), Date.parse(String(login!.data.date)));
    assert.equal(contact['Logins_30d__c'], 1);

    // Redelivery is deduplicated at the inbox; a replay of the job plans the Task again and upserts it.
    await h.post(JSON.stringify([login]));
    const job = (await activityJobs()).find((j) => j.reason?.includes('first-login'));
    assert.equal(job?.outcome, 'applied');
    const replay = await fetch(`${h.url}/admin/jobs/${job!.id}/replay`, {
      method: 'POST',
      headers: { authorization: ADMIN },
    });
    assert.equal(replay.status, 202);
    await waitFor(async () => {
      const again = (await activityJobs()).find((j) => j.id === job!.id);
      return again?.state === 'done' && again.updatedAt > job!.updatedAt;
    }, 'the replayed job to finish');
    await h.settled();
    assert.equal(tasksFor(contactId!).length, 1, 'no duplicate Task after redelivery and replay');
  });

  test('20 wrong passwords → exactly one failed-logins Task, plus one High lock Task for the lockouts', async () => {
    const [accountId] = h.sf.admin.seed('Account', [{ Name: 'Difference Engines' }]);
    const [contactId] = h.sf.admin.seed('Contact', [
      { LastName: 'Babbage', Email: 'charles@difference.example', AccountId: accountId },
    ]);
    const charles = h.auth0.admin.signup({ email: 'charles@difference.example', family_name: 'Babbage' });
    await deliverNew();
    for (let i = 0; i < 20; i++) h.auth0.admin.login(charles.user_id, { fail: 'wrong_password' });
    const records = await deliverNew();
    assert.equal(records.filter((r) => r.data.type === 'fp').length, 20);
    assert.equal(
      records.filter((r) => r.data.type === 'limit_wc').length,
      2,
      'the emulator locks after every 10 failures',
    );
    // delivered again, reversed: nothing new
    await h.post(JSON.stringify([...records].reverse()));
    await h.settled();

    const tasks = tasksFor(contactId!);
    const failed = tasks.filter((t) => t['Subject'] === 'Repeated failed logins');
    assert.equal(failed.length, 1, 'one Task per episode, not per attempt');
    assert.equal(failed[0]!['WhatId'], accountId);
    assert.match(String(failed[0]!['Description']), /^5 failed login attempts \(fp\)/);
    const locked = tasks.filter((t) => t['Subject'] === 'Account locked after failed logins');
    assert.equal(locked.length, 1, 'two lockouts within 15 minutes are one episode');
    assert.equal(locked[0]!['Priority'], 'High');
    assert.equal(tasks.length, 2);

    const jobs = (await activityJobs()).filter((j) => j.subject === `user:${charles.user_id}`);
    assert.equal(jobs.filter((j) => j.outcome === 'filtered').length, 19);
    assert.match(jobs[0]!.reason ?? '', /rule failed-logins: 1 of 5 within 15 min/);
    assert.ok(
      jobs.some((j) => /already signalled for the episode/.test(j.reason ?? '')),
      'later failures say the episode was signalled',
    );
  });

  test('100 logins within the interval → one engagement update (counted at the emulator), 99 filtered', async () => {
    const grace = h.auth0.admin.signup({ email: 'grace@navy.example', family_name: 'Hopper' });
    await deliverNew(); // signup-to-lead creates the Contact (no Account)
    const contact = linkedContact(grace.user_id);
    assert.ok(contact, 'signup-to-lead created the Contact');
    const writesBefore = writes().length;
    const jobsBefore = (await activityJobs()).length;

    for (let i = 0; i < 100; i++) h.auth0.admin.login(grace.user_id);
    await deliverNew();

    const phaseWrites = writes().slice(writesBefore);
    assert.equal(
      phaseWrites.filter((w) => w.kind.endsWith('.update')).length,
      1,
      'one Contact update for 100 logins',
    );
    assert.equal(phaseWrites.length, 2, 'that update and the first-login Task, nothing else');
    const jobs = (await activityJobs()).slice(jobsBefore);
    assert.equal(jobs.length, 100);
    const filtered = jobs.filter((j) => j.outcome === 'filtered');
    assert.equal(filtered.length, 99);
    assert.ok(
      filtered.every((j) => /engagement updated less than 1h ago/.test(j.reason ?? '')),
      'each filtered login says why',
    );

    const updated = h.sf.admin.get('Contact', contact.Id)!;
    assert.equal(updated['Logins_30d__c'], 1, 'written once, at the first login of the burst');
    const [task] = tasksFor(contact.Id);
    assert.equal(task?.['Subject'], 'First login');
    assert.equal(task?.['WhatId'] ?? null, null, 'no Account');
    assert.equal(task?.['OwnerId'], contact['OwnerId'], 'the Contact owner when there is no Account');
  });

  test('a Lead gets Tasks without WhatId; MFA enrolment signals, MFA challenges are noise', async () => {
    const [leadId] = h.sf.admin.seed('Lead', [
      { LastName: 'Hamilton', Company: 'MIT', Email: 'margaret@mit.example' },
    ]);
    const margaret = h.auth0.admin.signup({ email: 'margaret@mit.example', family_name: 'Hamilton' });
    await deliverNew();
    assert.equal(h.sf.admin.get('Lead', leadId!)?.['Auth0_User_Id__c'], margaret.user_id);

    h.auth0.admin.enrollMfa(margaret.user_id);
    h.auth0.admin.login(margaret.user_id, { fail: 'mfa' }); // gd_auth_failed
    h.auth0.admin.mfaRequired(margaret.user_id); // mfar
    await deliverNew();

    const tasks = tasksFor(leadId!);
    assert.deepEqual(
      tasks.map((t) => t['Subject']),
      ['MFA enrolled'],
    );
    assert.equal(tasks[0]!['WhatId'] ?? null, null, 'Salesforce rejects WhatId with a Lead WhoId');
    assert.equal(tasks[0]!['OwnerId'], h.sf.admin.get('Lead', leadId!)?.['OwnerId']);
    // Noise never becomes a job of the pipeline: each event gets its one outcome when it is routed.
    const jobs = (await activityJobs()).filter((j) => j.subject === `user:${margaret.user_id}`);
    assert.deepEqual(
      jobs.filter((j) => j.outcome === 'filtered').map((j) => j.reason),
      [],
    );
    const routed = await listJobs(h.service.db, { pipeline: '', limit: 10_000 });
    const noise = routed.filter((j) => j.subject === `user:${margaret.user_id}`);
    assert.deepEqual(noise.map((j) => [j.outcome, j.attempts, j.reason]).sort(), [
      ['filtered', 0, `no enabled pipeline of "${TENANT}" acts on user.mfa (gd_auth_failed)`],
      ['filtered', 0, `no enabled pipeline of "${TENANT}" acts on user.mfa (mfar)`],
    ]);
  });

  test('breached password of a known user → High Task; of an unknown email → filtered; fu counted apart', async () => {
    const [contactId] = h.sf.admin.seed('Contact', [{ LastName: 'Turing', Email: 'alan@bletchley.example' }]);
    const alan = h.auth0.admin.signup({ email: 'alan@bletchley.example', family_name: 'Turing' });
    await deliverNew();
    assert.equal(h.sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'], alan.user_id);

    h.auth0.admin.leakedPasswordLogin('alan@bletchley.example');
    h.auth0.admin.leakedPasswordLogin('nobody@nowhere.example');
    h.auth0.admin.failedLoginUnknownUser('nobody@nowhere.example');
    const tasksBefore = h.sf.admin.all('Task').length;
    await deliverNew();

    const tasks = tasksFor(contactId!);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!['Subject'], 'Login with a breached password blocked');
    assert.equal(tasks[0]!['Priority'], 'High');
    assert.equal(h.sf.admin.all('Task').length, tasksBefore + 1);
    const jobs = (await activityJobs()).filter((j) => j.subject === 'login:nobody@nowhere.example');
    assert.equal(jobs.length, 2);
    const reasons = jobs.map((j) => `${j.outcome}: ${j.reason}`).join('\n');
    assert.ok(
      jobs.every((j) => j.outcome === 'filtered'),
      reasons,
    );
    assert.ok(
      jobs.some((j) =>
        /^unknown person, nothing written \(signals: breached-password\)/.test(j.reason ?? ''),
      ),
      reasons,
    );
    assert.ok(
      jobs.some((j) => /rule failed-logins: 1 of 5/.test(j.reason ?? '')),
      reasons,
    );
    assert.ok(
      jobs.every((j) => !(j.reason ?? '').includes('nobody@')),
      'no email in reasons',
    );
  });

  test('signup and first login delivered together: the Task waits for the Contact signup-to-lead creates', async () => {
    const katherine = h.auth0.admin.signup({ email: 'katherine@nasa.example', family_name: 'Johnson' });
    h.auth0.admin.login(katherine.user_id);
    await deliverNew();
    const contact = linkedContact(katherine.user_id);
    assert.ok(contact, 'signup-to-lead created the Contact');
    assert.deepEqual(
      tasksFor(contact.Id).map((t) => t['Subject']),
      ['First login'],
    );
    assert.equal(h.sf.admin.get('Contact', contact.Id)?.['Logins_30d__c'], 1);
    const login = (await activityJobs()).filter((j) => j.subject === `user:${katherine.user_id}`);
    assert.deepEqual(
      login.map((j) => [j.outcome, j.attempts]),
      [['applied', 1]],
      'the login ran once, after the signup, without finding nobody and retrying',
    );
  });

  test('a first login of a user deleted since is filtered at once: no person will come', async () => {
    const ghost = h.auth0.admin.signup({ email: 'ghost@nasa.example', family_name: 'Gone' });
    h.auth0.admin.login(ghost.user_id);
    h.auth0.admin.deleteUser(ghost.user_id);
    await deliverNew();
    const login = (await activityJobs()).filter(
      (j) => j.subject === `user:${ghost.user_id}` && j.reason?.includes('first-login'),
    );
    assert.equal(login.length, 1);
    assert.equal(login[0]!.outcome, 'filtered');
    assert.equal(login[0]!.attempts, 1, 'not retried for awaitPersonSeconds');
    assert.match(login[0]!.reason ?? '', /the Auth0 user no longer exists/);
  });
});
