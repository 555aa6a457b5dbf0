import type { TemplateDefinition } from '../../core/template.js';
import { type ProfileToContactParams, profileToContactParamsSchema } from './params.js';
import { planProfileChange } from './plan.js';

export const profileToContact: TemplateDefinition<ProfileToContactParams> = {
  id: 'profile-to-contact',
  summary:
    'Auth0 profile change → the linked Contact (and mapped Account fields), re-read and only what changed',
  params: profileToContactParamsSchema,
  accepts: (event) => event.kind === 'user.profile_changed',
  plan: planProfileChange,
};
export type { ProfileToContactParams };
