import type { TemplateDefinition } from '../../core/template.js';
import { type ClosedWonToAuth0UserParams, closedWonToAuth0UserParamsSchema } from './params.js';
import { planClosedWon } from './plan.js';

export const closedWonToAuth0User: TemplateDefinition<ClosedWonToAuth0UserParams> = {
  id: 'closed-won-to-auth0-user',
  summary:
    'Won Salesforce Opportunity (IsWon) → the primary contact’s Auth0 user, found or created and invited, with the purchased tier’s roles; the id written back to the Contact',
  params: closedWonToAuth0UserParamsSchema,
  salesforceTriggers: () => [
    { object: 'Opportunity', fields: ['IsWon', 'IsClosed', 'StageName', 'AccountId', 'ContactId'] },
  ],
  accepts: (event) => event.kind === 'salesforce.record_changed' && event.details['object'] === 'Opportunity',
  plan: planClosedWon,
};
export type { ClosedWonToAuth0UserParams };
