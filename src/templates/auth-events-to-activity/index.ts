import type { DomainEventKind } from '../../core/events.js';
import type { TemplateDefinition } from '../../core/template.js';
import { type AuthEventsToActivityParams, authEventsToActivityParamsSchema } from './params.js';
import { actsOn, planActivity } from './plan.js';

/** Every login-related kind: rules decide what matters; the rest is filtered when routed, as noise. */
const KINDS: readonly DomainEventKind[] = [
  'user.logged_in',
  'user.login_failed',
  'user.mfa',
  'security.account_locked',
  'security.breached_password',
];

export const authEventsToActivity: TemplateDefinition<AuthEventsToActivityParams> = {
  id: 'auth-events-to-activity',
  summary:
    'Auth0 logins, failures, lockouts and MFA → Salesforce Tasks for meaningful signals and throttled engagement fields',
  params: authEventsToActivityParamsSchema,
  accepts: (event, params) => KINDS.includes(event.kind) && actsOn(event, params),
  // A new user's first login arrives with the signup that creates their person in Salesforce.
  runsAfter: ['signup-to-lead'],
  plan: planActivity,
};
export type { AuthEventsToActivityParams };
