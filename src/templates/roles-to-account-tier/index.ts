import type { TemplateDefinition } from '../../core/template.js';
import { type RolesToAccountTierParams, rolesToAccountTierParamsSchema } from './params.js';
import { planRolesToTier } from './plan.js';

export const rolesToAccountTier: TemplateDefinition<RolesToAccountTierParams> = {
  id: 'roles-to-account-tier',
  summary: "Auth0 role changes → the tier field of the user's Salesforce Account (ordered map, highest wins)",
  params: rolesToAccountTierParamsSchema,
  accepts: (event) => event.kind === 'user.roles_changed',
  plan: planRolesToTier,
};
export type { RolesToAccountTierParams };
