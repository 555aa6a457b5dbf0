import { z } from 'zod';

const roleNames = z.array(z.string().min(1));

export const entitlementsToRolesParamsSchema = z
  .object({
    /** Text, External ID, Unique field on Contact holding the Auth0 user id. */
    externalIdField: z.string().default('Auth0_User_Id__c'),
    /** Account number field: how many linked users may hold the managed roles. */
    seatsField: z.string().default('Seats__c'),
    /** Account multi-select picklist (`;`-separated) of feature flags. */
    flagsField: z.string().default('Feature_Flags__c'),
    /** Account picklist of the contract tier. */
    contractTierField: z.string().default('Contract_Tier__c'),
    /**
     * Entitlement → Auth0 role names. Every role named here is *managed*: Concord assigns and removes it to
     * match the Account; roles named nowhere here are never touched. Empty by default (nothing managed).
     */
    roleMap: z
      .object({
        /** Contract tier value → roles every seated user gets. */
        contractTier: z.record(z.string(), roleNames).default({}),
        /** Feature flag value → roles every seated user gets while the flag is set. */
        featureFlags: z.record(z.string(), roleNames).default({}),
      })
      .strict()
      .prefault({}),
    /**
     * More linked users than seats: `first_come` gives the managed roles to the first N users in a stable
     * order (the Contact's CreatedDate, then Id) and removes them from the rest; `none` gives them to nobody
     * until the seats cover every linked user (a person decides who goes).
     */
    overSeats: z.enum(['first_come', 'none']).default('first_come'),
    /** An empty seats field means no seat limit (`unlimited`) or this many seats. */
    seatsWhenEmpty: z.union([z.literal('unlimited'), z.number().int().min(0)]).default('unlimited'),
    /** Bound on Auth0 calls per Account: one role read per linked user. More linked users → filtered. */
    maxLinkedUsers: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type EntitlementsToRolesParams = z.infer<typeof entitlementsToRolesParamsSchema>;
