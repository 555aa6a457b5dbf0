import type { TemplateDefinition } from '../../core/template.js';
import { type SignupToLeadParams, signupToLeadParamsSchema } from './params.js';
import { planSignup } from './plan.js';

export const signupToLead: TemplateDefinition<SignupToLeadParams> = {
  id: 'signup-to-lead',
  summary: 'Auth0 signup → Salesforce Lead or Contact, deduplicated by link, external id, email, then phone',
  params: signupToLeadParamsSchema,
  accepts: (event) =>
    event.kind === 'user.signed_up' ||
    (event.kind === 'user.logged_in' && event.details['firstLogin'] === true),
  plan: planSignup,
};
export type { SignupToLeadParams };
