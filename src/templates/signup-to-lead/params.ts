import { z } from 'zod';
import { type FieldMapping, fieldOverridesSchema } from '../../core/mapping.js';

export const signupToLeadParamsSchema = z
  .object({
    /** Which Salesforce object a new signup becomes. */
    object: z.enum(['Lead', 'Contact']).default('Lead'),
    /** Text, External ID, Unique field on Lead and Contact holding the Auth0 user id. */
    externalIdField: z.string().default('Auth0_User_Id__c'),
    /** Written to `LeadSource` when the record has none. */
    leadSource: z.string().default('Auth0 Signup'),
    /** Per-field overrides of the default mapping: a JSONata expression over the Auth0 user, a rule, or null. */
    fields: fieldOverridesSchema.default({}),
    /** Values for Salesforce's required fields when the Auth0 user has nothing for them (create only). */
    requiredDefaults: z
      .object({
        LastName: z.string().min(1).default('[not provided]'),
        Company: z.string().min(1).default('[not provided]'),
      })
      .prefault({}),
    /** Match rungs after link and external id, in order. */
    matchBy: z.array(z.enum(['email', 'phone'])).default(['email', 'phone']),
    /**
     * `any`: match existing records on the signup's email even before it is verified (the usual B2B choice);
     * `verified_only`: only when Auth0 says the email is verified, so nobody can attach themselves to a
     * customer's Contact by signing up with that customer's address.
     */
    emailMatch: z.enum(['any', 'verified_only']).default('any'),
    /** Country assumed for phone numbers written without a +country prefix (ISO 3166 alpha-2). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code such as US or GB')
      .default('US'),
  })
  .strict();
export type SignupToLeadParams = z.infer<typeof signupToLeadParamsSchema>;

/** The default mapping; `params.fields` overrides it field by field. */
export function defaultMapping(params: SignupToLeadParams): FieldMapping {
  const mapping: FieldMapping = {
    FirstName: { value: 'given_name', when: 'always' },
    LastName: {
      value:
        'family_name ? family_name : (name and name != email and $contains(name, " ") ? $substringAfter(name, " ") : "")',
      when: 'always',
      default: params.requiredDefaults.LastName,
    },
    Email: { value: 'email', when: 'always' },
    Phone: { value: 'phone_number', when: 'if_empty' },
    LeadSource: { value: JSON.stringify(params.leadSource), when: 'if_empty' },
  };
  if (params.object === 'Lead') {
    mapping['Company'] = {
      value: 'user_metadata.company ? user_metadata.company : app_metadata.company',
      when: 'if_empty',
      default: params.requiredDefaults.Company,
    };
  }
  return mapping;
}
