import type { TemplateDefinition } from '../core/template.js';
import { signupToLead } from './signup-to-lead/index.js';
import { profileToContact } from './profile-to-contact/index.js';
import { deactivationToChurn } from './deactivation-to-churn/index.js';
import { rolesToAccountTier } from './roles-to-account-tier/index.js';
import { entitlementsToRoles } from './entitlements-to-roles/index.js';
import { closedWonToAuth0User } from './closed-won-to-auth0-user/index.js';
import { authEventsToActivity } from './auth-events-to-activity/index.js';

/** Every template Concord ships, by id. Adding a template adds a folder and one line here. */
export const TEMPLATES: Record<string, TemplateDefinition<unknown>> = {
  [signupToLead.id]: signupToLead as TemplateDefinition<unknown>,
  [profileToContact.id]: profileToContact as TemplateDefinition<unknown>,
  [deactivationToChurn.id]: deactivationToChurn as TemplateDefinition<unknown>,
  [rolesToAccountTier.id]: rolesToAccountTier as TemplateDefinition<unknown>,
  [entitlementsToRoles.id]: entitlementsToRoles as TemplateDefinition<unknown>,
  [closedWonToAuth0User.id]: closedWonToAuth0User as TemplateDefinition<unknown>,
  [authEventsToActivity.id]: authEventsToActivity as TemplateDefinition<unknown>,
};

export const TEMPLATE_IDS = Object.keys(TEMPLATES);
