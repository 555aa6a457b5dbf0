import type { TemplateDefinition } from '../../core/template.js';
import { type DeactivationToChurnParams, deactivationToChurnParamsSchema } from './params.js';
import { planDeactivation } from './plan.js';

export const deactivationToChurn: TemplateDefinition<DeactivationToChurnParams> = {
  id: 'deactivation-to-churn',
  summary:
    'Auth0 block, unblock or deletion → the linked Contact’s status, a note and a Task for the Account owner; optional erasure',
  params: deactivationToChurnParamsSchema,
  accepts: (event) =>
    event.kind === 'user.blocked' || event.kind === 'user.unblocked' || event.kind === 'user.deleted',
  plan: planDeactivation,
};
export type { DeactivationToChurnParams };
