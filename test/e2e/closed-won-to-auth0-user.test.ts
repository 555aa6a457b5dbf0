import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findLinksByRecord, listQuarantine } from '../../src/store/index.js';
import { type Harness, startHarness, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const PIPELINE = 'provisioning';
const CLIENT_ID = 'concord-sandbox';

/** `sapi` records Concord's own client wrote for a method and a path pattern. */
const ourWrites = (h: Harness, method: string, path: RegExp) =>
  h.auth0.admin.logs().filter((l) => {
    const request = (l['details'] as { request?: { method?: string; path?: string } } | undefined)?.request;
    return (
      l.type === 'sapi' &&
      l['client_id'] === CLIENT_ID &&
      request?.method === method &&
      path.test(decodeURIComponent(request.path ?? ''))
    );
  });
/** Invitations Auth0 emailed to a user (its "Change Password" template, asked for by Concord). */
const invitations = (h: Harness, userId: string) => h.auth0.admin.emails().filter((e) => e.userId === userId);
const roleAssignments = (h: Harness, userId: string) =>
  ourWrites(h, 'post', new RegExp(`^/api/v2/users/${userId.replace('|', '\\|')}/roles$`));
const usersWithEmail = (h: Harness, email: string) =>
  h.auth0.admin.users().filter((u) => u.email === email.toLowerCase());

/** A user's role names, read through the Management API as any client would. */
async function roleNames(h: Harness, userId: string): Promise<string[]> {
  const base = String(h.config.auth0[TENANT]!.baseUrl);
  const token = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: 'sandbox-secret',
      audience: `https://${h.auth0.domain}/api/v2/`,
    }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const roles = await fetch(`${base}/api/v2/users/${encodeURIComponent(userId)}/roles`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  }).then((r) => r.json() as Promise<{ name: string }[]>);
  return roles.map((r) => r.name).sort();
}

/** Outcomes of this template's pipeline for one Opportunity, in order. */
const outcomesFor = (h: Harness, opportunityId: string) =>
  h.outcomes.filter((o) => o.pipeline === PIPELINE && o.reason.includes(opportunityId));

/** Waits for the next outcome of an Opportunity after `seen` earlier ones. */
const nextOutcome = (h: Harness, opportunityId: string, seen: number) =>
  waitFor(() => outcomesFor(h, opportunityId)[seen], `outcome #${seen + 1} for ${opportunityId}`);

interface Deal {
  accountId: string;
  contactId: string;
  opportunityId: string;
}

function seedDeal(
  h: Harness,
  input: {
    email?: string;
    lastName: string;
    products: string[];
    accountId?: string;
    contactId?: string;
    roles?: { primary: boolean }[] | 'none';
    opportunityContact?: boolean;
    accountTier?: string;
  },
): Deal {
  const [accountId] = input.accountId
    ? [input.accountId]
    : h.sf.admin.seed('Account', [
        {
          Name: `${input.lastName} Ltd`,
          ...(input.accountTier ? { Contract_Tier__c: input.accountTier } : {}),
        },
      ]);
  const [contactId] = input.contactId
    ? [input.contactId]
    : h.sf.admin.seed('Contact', [
        {
          FirstName: 'Pat',
          LastName: input.lastName,
          AccountId: accountId,
          ...(input.email ? { Email: input.email } : {}),
        },
      ]);
  const [opportunityId] = h.sf.admin.seed('Opportunity', [
    {
      Name: `${input.lastName} deal`,
      StageName: 'Prospecting',
      CloseDate: '2026-06-30',
      AccountId: accountId,
      ...(input.opportunityContact ? { ContactId: contactId } : {}),
    },
  ]);
  const roles = input.roles === 'none' ? [] : (input.roles ?? [{ primary: true }]);
  if (roles.length > 0) {
    const [other] = h.sf.admin.seed('Contact', [
      { LastName: `${input.lastName} Colleague`, AccountId: accountId },
    ]);
    h.sf.admin.seed(
      'OpportunityContactRole',
      roles.map((r, i) => ({
        OpportunityId: opportunityId,
        ContactId: i === 0 ? contactId : other,
        IsPrimary: r.primary,
        Role: i === 0 ? 'Decision Maker' : 'Business User',
      })),
    );
  }
  for (const productId of input.products) {
    h.sf.admin.seed('OpportunityLineItem', [
      { OpportunityId: opportunityId, Product2Id: productId, Quantity: 10, UnitPrice: 100 },
    ]);
  }
  return { accountId: accountId!, contactId: contactId!, opportunityId: opportunityId! };
}

describe('closed-won-to-auth0-user end to end (tier from line items)', () => {
  let h: Harness;
  const products: Record<string, string> = {};
  before(async () => {
    h = await startHarness({
      pipelines: [
        {
          name: PIPELINE,
          template: 'closed-won-to-auth0-user',
          params: {
            productTiers: [
              { match: { productCode: 'PRO-ANNUAL' }, roles: ['Member', 'Billing'] },
              { match: { family: 'Add-on' }, roles: ['Admin'] },
            ],
          },
        },
        // flow 1 alongside: Concord's own user creation must not come back as a Lead
        { name: 'signups', template: 'signup-to-lead' },
      ],
    });
    for (const name of ['Member', 'Billing', 'Admin', 'Viewer']) h.auth0.admin.createRole(name);
    const [pro, sso] = h.sf.admin.seed('Product2', [
      { Name: 'Pro (annual)', ProductCode: 'PRO-ANNUAL', Family: 'Subscription' },
      { Name: 'SSO add-on', ProductCode: 'SSO', Family: 'Add-on' },
    ]);
    products['pro'] = pro!;
    products['sso'] = sso!;
  });
  after(async () => h?.close());

  test('a won Opportunity creates, entitles and invites the primary contact, and links the Contact', async () => {
    const deal = seedDeal(h, {
      email: 'Grace.Lee@Customer.example',
      lastName: 'Lee',
      products: [products['pro']!],
      roles: [{ primary: true }, { primary: false }], // the colleague has a contact role too, not primary
    });
    await nextOutcome(h, deal.opportunityId, 0); // created, not won: filtered
    h.sf.admin.winOpportunity(deal.opportunityId);

    const contact = await waitFor(() => {
      const c = h.sf.admin.get('Contact', deal.contactId);
      return c?.['Auth0_User_Id__c'] ? c : undefined;
    }, 'the Auth0 id written back to the Contact');
    const userId = String(contact['Auth0_User_Id__c']);
    const users = usersWithEmail(h, 'grace.lee@customer.example');
    assert.equal(users.length, 1);
    const user = users[0]!;
    assert.equal(user.user_id, userId);
    assert.equal(user.identities?.[0]?.connection, 'Username-Password-Authentication');
    assert.equal(user.given_name, 'Pat');
    assert.equal(user.family_name, 'Lee');
    assert.equal(user.app_metadata?.['salesforce_contact_id'], deal.contactId);
    assert.equal(user.app_metadata?.['provisioned_by'], 'concord');
    assert.equal(typeof user.app_metadata?.['concord_invited_at'], 'string');
    assert.deepEqual(await roleNames(h, userId), ['Billing', 'Member']);

    const [invitation] = invitations(h, userId);
    assert.ok(invitation, 'Auth0 emailed an invitation');
    assert.equal(invitations(h, userId).length, 1);
    assert.equal(invitation.to, 'grace.lee@customer.example');
    assert.equal(invitation.connection, 'Username-Password-Authentication');
    assert.equal(invitation.clientId, CLIENT_ID, "Concord's own client when inviteClientId is not set");
    // The emailed link is the way in: setting a password through it verifies the email.
    assert.equal(user.email_verified, false);
    const accepted = h.auth0.admin.redeemPasswordTicket(invitation.link, 'Chosen-Passw0rd!');
    assert.equal(accepted.email_verified, true);

    const links = await findLinksByRecord(h.service.db, 'crm', deal.contactId);
    assert.deepEqual(
      links.map((l) => [l.auth0UserId, l.matchedBy]),
      [[userId, 'created']],
    );
    const outcome = outcomesFor(h, deal.opportunityId).at(-1)!;
    assert.equal(outcome.outcome, 'applied');
    assert.match(outcome.reason, /primary contact role/);
    assert.doesNotMatch(outcome.reason, /grace/i, 'no personal data in reasons');
  });

  test("Concord's own user creation and role assignment come back through the log stream: suppressed, no Lead", async () => {
    const sapi = h.auth0.admin.logs().filter((l) => l.type === 'sapi' && l['client_id'] === CLIENT_ID);
    assert.ok(sapi.length >= 3, 'create, roles and the invitation mark were logged');
    const leadsBefore = h.sf.admin.all('Lead').length;
    const seen = h.outcomes.length;
    const response = await h.post(JSON.stringify(sapi.map((l) => ({ log_id: l.log_id, data: l }))));
    assert.equal(response.status, 200);
    await h.settled();
    const fresh = h.outcomes.slice(seen);
    const created = fresh.filter((o) => o.pipeline === 'signups' && o.eventKind === 'user.signed_up');
    assert.ok(created.length >= 1, 'the POST /users record reached signup-to-lead');
    for (const o of created) assert.equal(o.outcome, 'suppressed');
    assert.equal(h.sf.admin.all('Lead').length, leadsBefore, 'zero Leads created');
  });

  test('won again (out of won and back, then touched) provisions once: in sync, no second invitation', async () => {
    const [deal] = h.sf.admin
      .all('Opportunity')
      .filter((o) => o['Name'] === 'Lee deal')
      .map((o) => String(o['Id']));
    const contact = h.sf.admin.all('Contact').find((c) => c['LastName'] === 'Lee')!;
    const userId = String(contact['Auth0_User_Id__c']);
    const usersBefore = h.auth0.admin.users().length;
    const assignmentsBefore = roleAssignments(h, userId).length;

    let seen = outcomesFor(h, deal!).length;
    h.sf.admin.update('Opportunity', deal!, { StageName: 'Negotiation/Review' });
    assert.equal((await nextOutcome(h, deal!, seen++)).outcome, 'filtered');
    h.sf.admin.winOpportunity(deal!);
    const again = await nextOutcome(h, deal!, seen++);
    assert.equal(again.outcome, 'applied');
    assert.match(again.reason, /already provisioned/);
    assert.deepEqual(again.intents, []);
    h.sf.admin.update('Opportunity', deal!, { Amount: 12_000 });
    const touched = await nextOutcome(h, deal!, seen++);
    assert.match(touched.reason, /already provisioned/);

    assert.equal(h.auth0.admin.users().length, usersBefore, 'no user created');
    assert.equal(invitations(h, userId).length, 1, 'no second invitation');
    assert.equal(roleAssignments(h, userId).length, assignmentsBefore, 'no role re-assigned');
  });

  test('a second won Opportunity of the same contact adds only the roles the user lacks', async () => {
    const contact = h.sf.admin.all('Contact').find((c) => c['LastName'] === 'Lee')!;
    const userId = String(contact['Auth0_User_Id__c']);
    const deal = seedDeal(h, {
      lastName: 'Lee upsell',
      accountId: String(contact['AccountId']),
      contactId: String(contact['Id']),
      products: [products['pro']!, products['sso']!],
    });
    await nextOutcome(h, deal.opportunityId, 0);
    h.sf.admin.winOpportunity(deal.opportunityId);
    const outcome = await nextOutcome(h, deal.opportunityId, 1);
    assert.equal(outcome.outcome, 'applied');
    assert.equal(outcome.intents.length, 1);
    assert.match(outcome.intents[0]!, /^assign roles /);
    assert.deepEqual(await roleNames(h, userId), ['Admin', 'Billing', 'Member']);
    assert.equal(usersWithEmail(h, 'grace.lee@customer.example').length, 1);
    assert.equal(invitations(h, userId).length, 1, 'still one invitation');
  });

  test('an existing Auth0 user found by email gets the roles and the link, but no invitation', async () => {
    const existing = h.auth0.admin.seedUser({ email: 'owner@already.example', password: 'Secret-123456' });
    const deal = seedDeal(h, {
      email: 'Owner@Already.example',
      lastName: 'Already',
      products: [products['pro']!],
    });
    await nextOutcome(h, deal.opportunityId, 0);
    h.sf.admin.winOpportunity(deal.opportunityId);
    const outcome = await nextOutcome(h, deal.opportunityId, 1);
    assert.equal(outcome.outcome, 'applied');
    assert.match(outcome.reason, /only Auth0 user with its email/);
    assert.equal(h.sf.admin.get('Contact', deal.contactId)?.['Auth0_User_Id__c'], existing.user_id);
    assert.deepEqual(await roleNames(h, existing.user_id), ['Billing', 'Member']);
    assert.equal(invitations(h, existing.user_id).length, 0, 'users Concord did not create are not invited');
    assert.equal(usersWithEmail(h, 'owner@already.example').length, 1);
  });

  test('two Auth0 users with the contact email: quarantined with both as candidates, nothing written', async () => {
    const a = h.auth0.admin.seedUser({ email: 'twin@shared.example', password: 'Secret-123456' });
    const b = h.auth0.admin.seedUser({
      email: 'twin@shared.example',
      connection: 'google-oauth2',
    });
    const usersBefore = h.auth0.admin.users().length;
    const deal = seedDeal(h, {
      email: 'twin@shared.example',
      lastName: 'Twin',
      products: [products['pro']!],
    });
    await nextOutcome(h, deal.opportunityId, 0);
    h.sf.admin.winOpportunity(deal.opportunityId);
    const outcome = await nextOutcome(h, deal.opportunityId, 1);
    assert.equal(outcome.outcome, 'quarantined');
    const item = (await listQuarantine(h.service.db)).find((q) => q.reason.includes(deal.opportunityId));
    assert.deepEqual(item?.candidates.map((c) => c.id).sort(), [a.user_id, b.user_id].sort());
    assert.equal(h.auth0.admin.users().length, usersBefore);
    assert.equal(h.sf.admin.get('Contact', deal.contactId)?.['Auth0_User_Id__c'] ?? null, null);
  });

  test('fallbacks: Opportunity.ContactId when there is no contact role; nobody → filtered with the reason', async () => {
    const viaContactId = seedDeal(h, {
      email: 'fallback@contactid.example',
      lastName: 'Fallback',
      products: [products['pro']!],
      roles: 'none',
      opportunityContact: true,
    });
    const nobody = seedDeal(h, {
      email: 'nobody@nowhere.example',
      lastName: 'Nobody',
      products: [products['pro']!],
      roles: [{ primary: false }, { primary: false }],
    });
    await nextOutcome(h, viaContactId.opportunityId, 0);
    await nextOutcome(h, nobody.opportunityId, 0);
    h.sf.admin.winOpportunity(viaContactId.opportunityId);
    h.sf.admin.winOpportunity(nobody.opportunityId);

    const used = await nextOutcome(h, viaContactId.opportunityId, 1);
    assert.equal(used.outcome, 'applied');
    assert.match(used.reason, /Opportunity\.ContactId/);
    assert.equal(usersWithEmail(h, 'fallback@contactid.example').length, 1);

    const skipped = await nextOutcome(h, nobody.opportunityId, 1);
    assert.equal(skipped.outcome, 'filtered');
    assert.match(skipped.reason, /2 contact role\(s\), none primary, and no usable fallback/);
    assert.equal(usersWithEmail(h, 'nobody@nowhere.example').length, 0);
  });
});

describe('closed-won-to-auth0-user with a renamed won stage and the tier on the Account', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: [
        {
          name: PIPELINE,
          template: 'closed-won-to-auth0-user',
          params: {
            tierFrom: 'account_field',
            tierRoles: { Gold: ['Member', 'Admin'], Platinum: ['Ghost'] },
            invite: true,
          },
        },
      ],
    });
    for (const name of ['Member', 'Admin']) h.auth0.admin.createRole(name);
    // "Closed Won" is no longer the won stage: a stage called "Signed" is, and a look-alike is not
    h.sf.admin.setOpportunityStages([
      { apiName: 'Prospecting', isClosed: false, isWon: false },
      { apiName: 'Closed Won', isClosed: false, isWon: false },
      { apiName: 'Signed', isClosed: true, isWon: true },
      { apiName: 'Closed Lost', isClosed: true, isWon: false },
    ]);
  });
  after(async () => h?.close());

  test('IsWon decides, never the label: "Closed Won" that is not won is ignored, "Signed" provisions', async () => {
    const deal = seedDeal(h, {
      email: 'gold@tier.example',
      lastName: 'Gold',
      products: [],
      accountTier: 'Gold',
    });
    await nextOutcome(h, deal.opportunityId, 0);
    h.sf.admin.update('Opportunity', deal.opportunityId, { StageName: 'Closed Won' });
    const lookalike = await nextOutcome(h, deal.opportunityId, 1);
    assert.equal(lookalike.outcome, 'filtered');
    assert.match(lookalike.reason, /not won/);
    assert.equal(usersWithEmail(h, 'gold@tier.example').length, 0);

    h.sf.admin.winOpportunity(deal.opportunityId); // the first won stage: "Signed"
    assert.equal(h.sf.admin.get('Opportunity', deal.opportunityId)?.['StageName'], 'Signed');
    const won = await nextOutcome(h, deal.opportunityId, 2);
    assert.equal(won.outcome, 'applied');
    assert.match(won.reason, /tier "Gold"/);
    const [user] = usersWithEmail(h, 'gold@tier.example');
    assert.ok(user);
    assert.deepEqual(await roleNames(h, user.user_id), ['Admin', 'Member']);
    assert.equal(invitations(h, user.user_id).length, 1);
    assert.equal(h.sf.admin.get('Contact', deal.contactId)?.['Auth0_User_Id__c'], user.user_id);
  });

  test('a tier naming an unknown role dead-letters with the parameter path, and creates nothing', async () => {
    const deal = seedDeal(h, {
      email: 'platinum@tier.example',
      lastName: 'Platinum',
      products: [],
      accountTier: 'Platinum',
    });
    await nextOutcome(h, deal.opportunityId, 0);
    h.sf.admin.winOpportunity(deal.opportunityId);
    // a dead letter's reason is the error, which names the parameter (not the Opportunity)
    const outcome = await waitFor(
      () => h.outcomes.find((o) => o.pipeline === PIPELINE && o.outcome === 'dead_lettered'),
      'a dead letter',
    );
    assert.equal(outcome.outcome, 'dead_lettered');
    assert.match(outcome.reason, /params\.tierRoles\.Platinum\[0\] names the role "Ghost"/);
    assert.equal(usersWithEmail(h, 'platinum@tier.example').length, 0);
  });
});
