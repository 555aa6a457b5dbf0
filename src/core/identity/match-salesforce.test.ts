import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SfFindRequest, SfRecord } from '../ports.js';
import type { IdentityLink } from '../template.js';
import { linkedIdentityIds } from './linked-ids.js';
import { matchSalesforcePerson } from './match-salesforce.js';

/** A tiny in-memory org: `find` understands the conditions the ladder uses (=, in, case-insensitive Email). */
function fakeOrg(records: Record<string, SfRecord[]>, links: IdentityLink[] = []) {
  const matches = (r: SfRecord, w: SfFindRequest['where'][number]) => {
    const v = r[w.field];
    if (w.op === 'in') return w.values.map(String).includes(String(v));
    if (w.op === '=')
      return typeof v === 'string' && typeof w.value === 'string'
        ? v.toLowerCase() === w.value.toLowerCase()
        : v === w.value;
    return false;
  };
  return {
    salesforce: {
      find: async (req: SfFindRequest) =>
        (records[req.object] ?? []).filter((r) => req.where.every((w) => matches(r, w))),
      retrieve: async (object: string, ids: readonly string[]) =>
        ids.map((id) => (records[object] ?? []).find((r) => r.Id === id) ?? null),
    },
    links: {
      findLink: async (_t: string, user: string, _o: string) => links.find((l) => l.auth0UserId === user),
    },
  };
}

const base = { tenant: 't', org: 'o', externalIdField: 'Auth0_User_Id__c' };

test('an account linked in Auth0 finds the record of its secondary identity', async () => {
  const user = {
    user_id: 'auth0|abc',
    identities: [
      { provider: 'auth0', user_id: 'abc', connection: 'db', isSocial: false },
      { provider: 'google-oauth2', user_id: '123', connection: 'google-oauth2', isSocial: true },
    ],
  };
  assert.deepEqual(linkedIdentityIds(user), ['google-oauth2|123']);
  const org = fakeOrg({ Contact: [{ Id: '003A', Auth0_User_Id__c: 'google-oauth2|123' }] });
  const result = await matchSalesforcePerson(
    { ...base, auth0UserId: user.user_id, linkedIds: linkedIdentityIds(user) },
    org,
  );
  assert.equal(result.kind, 'matched');
  assert.equal(result.kind === 'matched' && result.id, '003A');
  assert.match(result.kind === 'matched' ? result.reason : '', /linked identity google-oauth2\|123/);

  const viaLink = fakeOrg({ Lead: [{ Id: '00QB', IsConverted: false }] }, [
    {
      tenant: 't',
      auth0UserId: 'google-oauth2|123',
      org: 'o',
      object: 'Lead',
      recordId: '00QB',
      matchedBy: 'email',
      reason: 'r',
    },
  ]);
  const linked = await matchSalesforcePerson(
    { ...base, auth0UserId: user.user_id, linkedIds: linkedIdentityIds(user) },
    viaLink,
  );
  assert.equal(linked.kind === 'matched' && linked.by, 'link');
});

test('the ladder: external id before email, Contact before Lead, converted Lead → its Contact, ambiguity named', async () => {
  const org = fakeOrg({
    Contact: [
      { Id: '003C', Email: 'x@example.com' },
      { Id: '003D', Email: 'dup@example.com' },
      { Id: '003E', Email: 'DUP@example.com' },
    ],
    Lead: [{ Id: '00QL', Email: 'conv@example.com', IsConverted: true, ConvertedContactId: '003C' }],
  });
  const converted = await matchSalesforcePerson(
    { ...base, auth0UserId: 'auth0|1', email: 'conv@example.com' },
    org,
  );
  assert.equal(converted.kind === 'matched' && converted.id, '003C');
  assert.match(converted.kind === 'matched' ? converted.reason : '', /converted/);

  const ambiguous = await matchSalesforcePerson(
    { ...base, auth0UserId: 'auth0|2', email: 'dup@example.com' },
    org,
  );
  assert.equal(ambiguous.kind, 'ambiguous');
  assert.deepEqual(ambiguous.kind === 'ambiguous' ? ambiguous.candidates.map((c) => c.id).sort() : [], [
    '003D',
    '003E',
  ]);

  const none = await matchSalesforcePerson(
    { ...base, auth0UserId: 'auth0|3', email: 'nobody@example.com' },
    org,
  );
  assert.equal(none.kind, 'none');
});
