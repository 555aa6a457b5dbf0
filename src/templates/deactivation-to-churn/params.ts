import { z } from 'zod';

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name');
const text = (value: string) => z.string().min(1).max(255).default(value);

export const deactivationToChurnParamsSchema = z
  .object({
    /** Text, External ID, Unique field on Contact (and Lead) holding the Auth0 user id. */
    externalIdField: fieldName.default('Auth0_User_Id__c'),
    /** Contact field that mirrors the Auth0 account state (a picklist or text field). */
    statusField: fieldName.default('Auth0_Status__c'),
    blockedValue: text('Blocked'),
    /** `Inactive` is the usual alternative. */
    deletedValue: text('Deleted'),
    activeValue: text('Active'),
    /** Completed Tasks on the Contact that record what happened (a note in the activity history). */
    noteSubject: z
      .object({
        blocked: text('Auth0 user blocked'),
        unblocked: text('Auth0 user unblocked'),
        deleted: text('Auth0 user deleted'),
      })
      .prefault({}),
    /** Write a note on unblock too (no Task for the owner is ever created on unblock). */
    noteOnUnblock: z.boolean().default(true),
    /** Open Tasks for the Account owner (or the Contact owner when the Contact has no Account). */
    taskSubject: z
      .object({
        blocked: text('Follow up: customer user blocked in Auth0'),
        deleted: text('Follow up: customer user deleted in Auth0'),
      })
      .prefault({}),
    taskPriority: text('Normal'),
    /** ActivityDate of the owner's Task: today + this many days (UTC). */
    dueInDays: z.number().int().min(0).max(365).default(3),
    /**
     * Text, External ID, Unique field on Task holding Concord's idempotency key: with it, a replayed or
     * duplicated event upserts the same Task; without it creation is at-least-once.
     */
    keyField: fieldName.default('Concord_Key__c'),
    /** On deletion, anonymise the Contact's personal fields (right to erasure). */
    erasure: z
      .object({
        enabled: z.boolean().default(false),
        fields: z
          .array(fieldName)
          .min(1)
          .default(['FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title']),
        /** Written to text fields and to required fields; other fields (email, phone …) are cleared. */
        replacement: text('anonymised'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type DeactivationToChurnParams = z.infer<typeof deactivationToChurnParamsSchema>;
