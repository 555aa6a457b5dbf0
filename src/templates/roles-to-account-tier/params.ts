import { z } from 'zod';

/** One rung of the ordered tier map: a user holding any of `roles` is at least `tier`. */
const tierRowSchema = z
  .object({
    /** The value written to the Account's tier field (a picklist value in most orgs). */
    tier: z.string().min(1),
    /** Auth0 role names (compared case-insensitively, like Auth0's `name_filter`). */
    roles: z.array(z.string().min(1)).min(1),
  })
  .strict();

export const rolesToAccountTierParamsSchema = z
  .object({
    /** Ordered, highest tier first: the first row that matches one of the user's roles wins. */
    tiers: z
      .array(tierRowSchema)
      .min(1)
      .default([
        { tier: 'Enterprise', roles: ['enterprise-admin', 'enterprise-user'] },
        { tier: 'Pro', roles: ['pro-user'] },
      ]),
    /** Written when no role maps to a tier; `null` leaves the Account's tier unchanged instead. */
    defaultTier: z.string().min(1).nullable().default('Free'),
    /** The Account field holding the tier. */
    tierField: z.string().default('Subscription_Tier__c'),
    /** Text, External ID, Unique field on Contact holding the Auth0 user id. */
    externalIdField: z.string().default('Auth0_User_Id__c'),
    /**
     * `highest_of_linked_users`: the Account gets the highest tier held by any of its linked users (Contacts
     * of the Account carrying an Auth0 user id), so one user losing a role does not downgrade a company whose
     * other users still hold it. `this_user`: the tier of the user whose roles changed, last change wins.
     */
    accountTierPolicy: z.enum(['highest_of_linked_users', 'this_user']).default('highest_of_linked_users'),
    /**
     * Bound on Auth0 calls under `highest_of_linked_users`: at most this many other users' roles are read per
     * event. An Account with more linked users is filtered (named in the reason) unless this user already holds
     * the highest tier.
     */
    maxLinkedUsers: z.number().int().min(1).max(500).default(50),
    /** Optionally start a Salesforce-side workflow with a Task on the Account when its tier changes. */
    tierChangeTask: z
      .object({
        enabled: z.boolean().default(false),
        /** `{from}` and `{to}` are replaced with the old and new tier. */
        subject: z.string().min(1).default('Subscription tier changed from {from} to {to}'),
        priority: z.enum(['High', 'Normal', 'Low']).default('Normal'),
        /** Days from today for `ActivityDate`; `null` leaves it empty. */
        dueInDays: z.number().int().min(0).nullable().default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type RolesToAccountTierParams = z.infer<typeof rolesToAccountTierParamsSchema>;
