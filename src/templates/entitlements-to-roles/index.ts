import type { TemplateDefinition } from '../../core/template.js';
import { type EntitlementsToRolesParams, entitlementsToRolesParamsSchema } from './params.js';
import { planEntitlements } from './plan.js';

export const entitlementsToRoles: TemplateDefinition<EntitlementsToRolesParams> = {
  id: 'entitlements-to-roles',
  summary:
    "Salesforce Account entitlements (seats, feature flags, contract tier) → linked users' managed Auth0 roles",
  params: entitlementsToRolesParamsSchema,
  salesforceTriggers: (params) => [
    {
      object: 'Account',
      fields: [params.seatsField, params.flagsField, params.contractTierField, 'OwnerId'],
    },
    // a Contact joining an Account or getting its Auth0 id takes a seat
    { object: 'Contact', fields: ['AccountId', params.externalIdField] },
  ],
  accepts: (event) =>
    event.kind === 'salesforce.record_changed' &&
    (event.details['object'] === 'Account' || event.details['object'] === 'Contact'),
  plan: planEntitlements,
};
export type { EntitlementsToRolesParams };
