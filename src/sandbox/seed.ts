import type { Auth0Emulator } from '../emulators/auth0/index.js';
import type { SalesforceEmulator } from '../emulators/salesforce/index.js';
import { ROLES } from './sandbox-config.js';

/**
 * A little data so every flow has something to work on: customers already in both systems (linked by
 * `Auth0_User_Id__c`), an Account with seats, flags and a contract tier, a product and an open Opportunity.
 */
export function seedSandbox(salesforce: SalesforceEmulator, auth0: Auth0Emulator) {
  for (const role of ROLES) auth0.admin.createRole(role);
  const ada = auth0.admin.seedUser({
    email: 'ada@initech.example',
    given_name: 'Ada',
    family_name: 'Lovelace',
  });
  const grace = auth0.admin.seedUser({
    email: 'grace@initech.example',
    given_name: 'Grace',
    family_name: 'Hopper',
  });

  const [accountId] = salesforce.admin.seed('Account', [
    { Name: 'Initech', Seats__c: 2, Feature_Flags__c: 'analytics', Contract_Tier__c: 'Gold' },
  ]);
  const [adaId, graceId] = salesforce.admin.seed('Contact', [
    {
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@initech.example',
      AccountId: accountId,
      Auth0_User_Id__c: ada.user_id,
    },
    {
      FirstName: 'Grace',
      LastName: 'Hopper',
      Email: 'grace@initech.example',
      AccountId: accountId,
      Auth0_User_Id__c: grace.user_id,
    },
    { FirstName: 'Alan', LastName: 'Turing', Email: 'alan@initech.example', AccountId: accountId },
  ]);
  salesforce.admin.seed('Lead', [
    { FirstName: 'Marie', LastName: 'Curie', Company: 'Radium', Email: 'marie@radium.example' },
  ]);
  const [productId] = salesforce.admin.seed('Product2', [
    { Name: 'Pro seat', ProductCode: 'PRO-SEAT', Family: 'Pro' },
  ]);
  return {
    accountId: accountId!,
    contacts: [adaId!, graceId!],
    productId: productId!,
    users: [ada.user_id, grace.user_id],
  };
}
export type SandboxSeed = ReturnType<typeof seedSandbox>;

/** A salesperson closes a deal: a new Opportunity for the Account's third Contact, won a moment later. */
export function openOpportunity(
  salesforce: SalesforceEmulator,
  seed: SandboxSeed,
  contactId: string,
  n: number,
) {
  const [opportunityId] = salesforce.admin.seed('Opportunity', [
    {
      Name: `Initech expansion ${n}`,
      StageName: 'Prospecting',
      CloseDate: '2026-12-31',
      AccountId: seed.accountId,
    },
  ]);
  salesforce.admin.seed('OpportunityContactRole', [
    { OpportunityId: opportunityId, ContactId: contactId, IsPrimary: true, Role: 'Decision Maker' },
  ]);
  salesforce.admin.seed('OpportunityLineItem', [
    { OpportunityId: opportunityId, Product2Id: seed.productId, Quantity: 1, UnitPrice: 100 },
  ]);
  return opportunityId!;
}
