import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSoql } from '../../connectors/salesforce/index.js';
import { ConcordError } from '../../core/errors.js';
import { closedWonToAuth0UserParamsSchema } from './params.js';
import { pickContact } from './pick-contact.js';
import type { WonOpportunity } from './read-opportunity.js';
import { roleIds, rolesFromAccountTier, rolesFromLineItems } from './tier-roles.js';

const opportunity = (over: Partial<WonOpportunity>): WonOpportunity => ({
  id: '006000000000001AAA',
  isWon: true,
  contactRoles: [],
  lineItems: [],
  ...over,
});

describe('closed-won-to-auth0-user parameters', () => {
  test('defaults follow DESIGN §4 and the documented fallbacks', () => {
    const params = closedWonToAuth0UserParamsSchema.parse({});
    assert.equal(params.externalIdField, 'Auth0_User_Id__c');
    assert.equal(params.accountTierField, 'Contract_Tier__c');
    assert.equal(params.connection, 'Username-Password-Authentication');
    assert.deepEqual(params.contactFallbacks, ['only_contact_role', 'opportunity_contact']);
    assert.equal(params.tierFrom, 'line_items');
    assert.equal(params.invite, true);
  });

  test('unknown keys, empty product matches and bad field names are rejected', () => {
    assert.equal(closedWonToAuth0UserParamsSchema.safeParse({ tierField: 'x' }).success, false);
    assert.equal(
      closedWonToAuth0UserParamsSchema.safeParse({ productTiers: [{ match: {}, roles: ['A'] }] }).success,
      false,
    );
    assert.equal(closedWonToAuth0UserParamsSchema.safeParse({ externalIdField: 'a b' }).success, false);
  });

  test('ticket settings of earlier versions are refused with where they now live', () => {
    for (const key of ['resultUrl', 'ticketTtlSeconds']) {
      const parsed = closedWonToAuth0UserParamsSchema.safeParse({ [key]: 'https://app.example/welcome' });
      assert.equal(parsed.success, false, key);
      const issue = parsed.error!.issues[0]!;
      assert.deepEqual(issue.path, [key]);
      assert.match(issue.message, /"Change Password" email template/);
    }
  });
});

describe('pickContact', () => {
  const c1 = '003000000000001AAA';
  const c2 = '003000000000002AAA';
  const c3 = '003000000000003AAA';
  const all = ['only_contact_role', 'opportunity_contact'] as const;

  test('the primary contact role wins over every fallback', () => {
    const choice = pickContact(
      opportunity({
        contactId: c3,
        contactRoles: [
          { contactId: c1, isPrimary: false },
          { contactId: c2, isPrimary: true },
        ],
      }),
      [...all],
    );
    assert.equal(choice.contactId, c2);
  });

  test('then the only contact role, then Opportunity.ContactId, in the configured order', () => {
    const only = opportunity({ contactId: c3, contactRoles: [{ contactId: c1, isPrimary: false }] });
    assert.equal(pickContact(only, [...all]).contactId, c1);
    assert.equal(pickContact(only, ['opportunity_contact', 'only_contact_role']).contactId, c3);
    const two = opportunity({
      contactId: c3,
      contactRoles: [
        { contactId: c1, isPrimary: false },
        { contactId: c2, isPrimary: false },
      ],
    });
    assert.equal(pickContact(two, [...all]).contactId, c3);
  });

  test('nobody when the fallbacks are off: the reason says why', () => {
    const choice = pickContact(
      opportunity({ contactId: c3, contactRoles: [{ contactId: c1, isPrimary: false }] }),
      [],
    );
    assert.equal(choice.contactId, undefined);
    assert.match(choice.why, /1 contact role\(s\), none primary/);
  });
});

describe('tier roles', () => {
  test('line items: every matching rule adds its roles (code and family both must match when given)', () => {
    const { roles } = rolesFromLineItems(
      [
        { productCode: 'PRO', family: 'Subscription' },
        { productCode: 'SSO', family: 'Add-on' },
      ],
      [
        { match: { productCode: 'PRO' }, roles: ['Member'] },
        { match: { family: 'Add-on' }, roles: ['Admin'] },
        { match: { productCode: 'PRO', family: 'Add-on' }, roles: ['Nope'] },
      ],
    );
    assert.deepEqual(
      roles.map((r) => [r.name, r.path]),
      [
        ['Member', 'params.productTiers[0].roles[0]'],
        ['Admin', 'params.productTiers[1].roles[0]'],
      ],
    );
  });

  test('account field: the value picks the roles; an unmapped or empty value grants none', () => {
    const map = { Gold: ['Member', 'Admin'] };
    assert.deepEqual(
      rolesFromAccountTier('Gold', map).roles.map((r) => r.path),
      ['params.tierRoles.Gold[0]', 'params.tierRoles.Gold[1]'],
    );
    assert.equal(rolesFromAccountTier('Bronze', map).roles.length, 0);
    assert.equal(rolesFromAccountTier(null, map).roles.length, 0);
    assert.equal(rolesFromAccountTier('constructor', map).roles.length, 0);
  });

  test('names become ids; an unknown name is a non-retryable config error naming the parameter', () => {
    const tenantRoles = [
      { id: 'rol_1', name: 'Member' },
      { id: 'rol_2', name: 'Admin' },
    ];
    assert.deepEqual(
      roleIds(
        [
          { name: 'Member', path: 'a' },
          { name: 'Member', path: 'b' },
        ],
        tenantRoles,
        'acme',
      ),
      ['rol_1'],
    );
    assert.throws(
      () => roleIds([{ name: 'Ghost', path: 'params.tierRoles.Gold[1]' }], tenantRoles, 'acme'),
      (e: unknown) =>
        e instanceof ConcordError &&
        e.code === 'config' &&
        !e.retryable &&
        /params\.tierRoles\.Gold\[1\] names the role "Ghost"/.test(e.message),
    );
  });
});

describe('buildSoql child subqueries', () => {
  test('renders the Opportunity read as one query with escaped literals', () => {
    assert.equal(
      buildSoql({
        object: 'Opportunity',
        fields: ['Id', 'IsWon'],
        where: [{ field: 'Id', op: '=', value: "006'x" }],
        children: [
          { relationship: 'OpportunityContactRoles', fields: ['ContactId', 'IsPrimary'] },
          {
            relationship: 'OpportunityLineItems',
            fields: ['Product2.ProductCode'],
            where: [{ field: 'Quantity', op: '!=', value: 0 }],
            limit: 200,
          },
        ],
      }),
      "SELECT Id, IsWon, (SELECT ContactId, IsPrimary FROM OpportunityContactRoles), (SELECT Product2.ProductCode FROM OpportunityLineItems WHERE Quantity != 0 LIMIT 200) FROM Opportunity WHERE Id = '006\\'x'",
    );
    assert.throws(
      () =>
        buildSoql({
          object: 'Opportunity',
          fields: ['Id'],
          where: [],
          children: [{ relationship: 'Lines) FROM X --', fields: ['Id'] }],
        }),
      TypeError,
    );
  });
});
