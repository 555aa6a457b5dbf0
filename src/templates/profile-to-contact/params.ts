import { z } from 'zod';
import { type FieldMapping, fieldOverridesSchema } from '../../core/mapping.js';

export const profileToContactParamsSchema = z
  .object({
    /** Text, External ID, Unique field on Contact (and Lead) holding the Auth0 user id. */
    externalIdField: z.string().default('Auth0_User_Id__c'),
    /**
     * Per-field overrides of the default person mapping (FirstName, LastName, Email, Phone, Title): a JSONata
     * expression over the Auth0 user, a rule `{value, when, default}`, or `null` to stop syncing a field.
     */
    fields: fieldOverridesSchema.default({}),
    /**
     * Fields of the Contact's Account, same shape as `fields` (e.g. `{ Name: "user_metadata.company" }`).
     * Written to the Account the Contact's `AccountId` names, only when mapped; Accounts are never created.
     */
    accountFields: fieldOverridesSchema.default({}),
    /**
     * Match rungs tried after link and external id. Default none: a profile change should not create new
     * links by guesswork; add `email` / `phone` to adopt records that signup-to-lead never linked.
     */
    matchBy: z.array(z.enum(['email', 'phone'])).default([]),
    /** As in signup-to-lead: whether an unverified email may match (only with `matchBy: [email]`). */
    emailMatch: z.enum(['any', 'verified_only']).default('verified_only'),
    /** Country assumed for phone numbers written without a +country prefix (ISO 3166 alpha-2). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code such as US or GB')
      .default('US'),
    /** An unconverted Lead linked to the user is updated too (false: only Contacts are). */
    updateLeads: z.boolean().default(true),
    /** No linked record: create a Contact (upsert by the external id) instead of filtering the event. */
    createIfMissing: z.boolean().default(false),
    /** Value for Contact.LastName when a Contact is created and the user has no family name. */
    requiredDefaults: z.object({ LastName: z.string().min(1).default('[not provided]') }).prefault({}),
  })
  .strict();
export type ProfileToContactParams = z.infer<typeof profileToContactParamsSchema>;

/** The default person mapping; `params.fields` overrides it field by field. Auth0 is the source of truth. */
export function defaultPersonMapping(params: ProfileToContactParams): FieldMapping {
  return {
    FirstName: { value: 'given_name', when: 'always' },
    LastName: {
      value:
        'family_name ? family_name : (name and name != email and $contains(name, " ") ? $substringAfter(name, " ") : "")',
      when: 'always',
      default: params.requiredDefaults.LastName,
    },
    Email: { value: 'email', when: 'always' },
    Phone: { value: 'phone_number', when: 'always' },
    Title: { value: 'user_metadata.title', when: 'always' },
  };
}
