import { z } from 'zod';

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name');
const roleNames = z.array(z.string().min(1));

/** One rule of the line-item tier map: a product matched by code and/or family grants these roles. */
const productTierSchema = z
  .object({
    match: z
      .object({ productCode: z.string().min(1).optional(), family: z.string().min(1).optional() })
      .strict()
      .refine((m) => m.productCode !== undefined || m.family !== undefined, {
        message: 'give productCode, family or both',
      }),
    roles: roleNames,
  })
  .strict();

/** A setting that now belongs to Auth0's "Change Password" email template: any value is an error saying so. */
function movedToTemplate(setting: string) {
  return z
    .never({
      error: `invitations are now emailed by Auth0: remove this and set the ${setting} of the "Change Password" email template (Auth0 dashboard → Branding → Email Templates)`,
    })
    .optional();
}

export const CONTACT_FALLBACKS = ['only_contact_role', 'opportunity_contact'] as const;

export const closedWonToAuth0UserParamsSchema = z
  .object({
    /** Auth0 database connection new users are created in. */
    connection: z.string().min(1).default('Username-Password-Authentication'),
    /** Text, External ID, Unique field on Contact holding the Auth0 user id (read, and written back). */
    externalIdField: fieldName.default('Auth0_User_Id__c'),
    /** Contact field holding the email to find or create the Auth0 user by. */
    emailField: fieldName.default('Email'),
    /**
     * Who is provisioned: always the primary contact role (`IsPrimary`) first; then, in this order, the only
     * contact role of the Opportunity (`only_contact_role`) and `Opportunity.ContactId`
     * (`opportunity_contact`). An empty list means "primary contact role or nobody".
     */
    contactFallbacks: z.array(z.enum(CONTACT_FALLBACKS)).default([...CONTACT_FALLBACKS]),
    /** Where the purchased tier comes from: the Opportunity's products, or a field on its Account. */
    tierFrom: z.enum(['line_items', 'account_field']).default('line_items'),
    /** `tierFrom: line_items`: every line item whose Product2 matches a rule grants that rule's roles. */
    productTiers: z.array(productTierSchema).default([]),
    /** `tierFrom: account_field`: the Account field holding the tier value. */
    accountTierField: fieldName.default('Contract_Tier__c'),
    /** `tierFrom: account_field`: tier value → Auth0 role names. */
    tierRoles: z.record(z.string(), roleNames).default({}),
    /**
     * Invite users Concord creates: Auth0 emails them its "Change Password" template (Authentication API
     * `POST /dbconnections/change_password`), whose link lets them set a password.
     */
    invite: z.boolean().default(true),
    /**
     * The application the invitation's link belongs to (the app users log in to; `connection` must be enabled
     * for it). Concord's own M2M client when omitted.
     */
    inviteClientId: z.string().min(1).optional(),
    // Settings of the ticket invitations of earlier versions, which Auth0 did not deliver: refused with where
    // they now live rather than as unknown keys.
    resultUrl: movedToTemplate('"Redirect To" URL'),
    ticketTtlSeconds: movedToTemplate('"URL Lifetime"'),
  })
  .strict();
export type ClosedWonToAuth0UserParams = z.infer<typeof closedWonToAuth0UserParamsSchema>;
