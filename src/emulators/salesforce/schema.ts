/**
 * The emulated org's objects and fields, as data. Everything else (validation, describe, SOQL) reads this
 * table; adding an object or a custom field is one entry here.
 */
export const FIELD_TYPES = [
  'id',
  'string',
  'email',
  'phone',
  'textarea',
  'picklist',
  'multipicklist',
  'reference',
  'boolean',
  'double',
  'int',
  'date',
  'datetime',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  name: string;
  type: FieldType;
  length?: number;
  /** Required on create (not nillable, no default). */
  required?: boolean;
  /** System or derived: never writable through the API. */
  readOnly?: boolean;
  /** Writable on create only. */
  createOnly?: boolean;
  defaultValue?: unknown;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  picklist?: readonly string[];
  referenceTo?: readonly string[];
  /** Relationship name for parent paths (`Account.Name`). */
  relationshipName?: string;
}

export interface ChildRelationshipDef {
  relationshipName: string;
  childObject: string;
  field: string;
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  /** Writable through the REST API (User is read-only). */
  createable: boolean;
  fields: readonly FieldDef[];
  children?: readonly ChildRelationshipDef[];
}

const text = (name: string, length = 255, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'string',
  length,
  ...extra,
});
const ref = (
  name: string,
  to: string[],
  relationshipName: string,
  extra: Partial<FieldDef> = {},
): FieldDef => ({
  name,
  type: 'reference',
  length: 18,
  referenceTo: to,
  relationshipName,
  ...extra,
});

/** Fields every object carries; maintained by the emulator itself. */
const SYSTEM_FIELDS: readonly FieldDef[] = [
  { name: 'Id', type: 'id', length: 18, readOnly: true },
  { name: 'IsDeleted', type: 'boolean', readOnly: true, defaultValue: false },
  { name: 'CreatedDate', type: 'datetime', readOnly: true },
  ref('CreatedById', ['User'], 'CreatedBy', { readOnly: true }),
  { name: 'LastModifiedDate', type: 'datetime', readOnly: true },
  ref('LastModifiedById', ['User'], 'LastModifiedBy', { readOnly: true }),
  { name: 'SystemModstamp', type: 'datetime', readOnly: true },
];
const OWNER = ref('OwnerId', ['User'], 'Owner');
const AUTH0_ID = text('Auth0_User_Id__c', 255, { externalId: true, unique: true, caseSensitive: false });

export const OBJECTS: readonly ObjectDef[] = [
  {
    name: 'User',
    keyPrefix: '005',
    createable: false,
    fields: [
      ...SYSTEM_FIELDS,
      text('Username', 80, { unique: true }),
      text('Name', 121),
      text('FirstName', 40),
      text('LastName', 80),
      { name: 'Email', type: 'email', length: 128 },
      { name: 'IsActive', type: 'boolean', defaultValue: true },
    ],
  },
  {
    name: 'Account',
    keyPrefix: '001',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('Name', 255, { required: true }),
      OWNER,
      { name: 'Phone', type: 'phone', length: 40 },
      text('Website'),
      text('Industry'),
      { name: 'Subscription_Tier__c', type: 'picklist', picklist: ['Free', 'Pro', 'Enterprise'] },
      { name: 'Seats__c', type: 'double' },
      {
        name: 'Feature_Flags__c',
        type: 'multipicklist',
        picklist: ['sso', 'audit_log', 'api_access', 'analytics', 'beta'],
      },
      { name: 'Contract_Tier__c', type: 'picklist', picklist: ['Bronze', 'Silver', 'Gold', 'Platinum'] },
    ],
    children: [
      { relationshipName: 'Contacts', childObject: 'Contact', field: 'AccountId' },
      { relationshipName: 'Opportunities', childObject: 'Opportunity', field: 'AccountId' },
      { relationshipName: 'Tasks', childObject: 'Task', field: 'WhatId' },
    ],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('FirstName', 40),
      text('LastName', 80, { required: true }),
      text('Name', 121, { readOnly: true }),
      ref('AccountId', ['Account'], 'Account'),
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'MobilePhone', type: 'phone', length: 40 },
      text('Title', 128),
      OWNER,
      {
        name: 'LeadSource',
        type: 'picklist',
        picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'],
      },
      { name: 'HasOptedOutOfEmail', type: 'boolean', defaultValue: false },
      AUTH0_ID,
      // Not unique on purpose: an external id that can match several records (upsert answers 300).
      text('Legacy_Id__c', 64, { externalId: true }),
      { name: 'Auth0_Status__c', type: 'picklist', picklist: ['Active', 'Blocked', 'Deleted', 'Inactive'] },
      { name: 'Last_Login__c', type: 'datetime' },
      { name: 'Logins_30d__c', type: 'double' },
    ],
    children: [
      { relationshipName: 'Tasks', childObject: 'Task', field: 'WhoId' },
      {
        relationshipName: 'OpportunityContactRoles',
        childObject: 'OpportunityContactRole',
        field: 'ContactId',
      },
    ],
  },
  {
    name: 'Lead',
    keyPrefix: '00Q',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('FirstName', 40),
      text('LastName', 80, { required: true }),
      text('Name', 121, { readOnly: true }),
      text('Company', 255, { required: true }),
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'MobilePhone', type: 'phone', length: 40 },
      text('Title', 128),
      OWNER,
      {
        name: 'LeadSource',
        type: 'picklist',
        picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'],
      },
      {
        name: 'Status',
        type: 'picklist',
        defaultValue: 'Open - Not Contacted',
        picklist: [
          'Open - Not Contacted',
          'Working - Contacted',
          'Closed - Converted',
          'Closed - Not Converted',
        ],
      },
      { name: 'IsConverted', type: 'boolean', readOnly: true, defaultValue: false },
      ref('ConvertedContactId', ['Contact'], 'ConvertedContact', { readOnly: true }),
      ref('ConvertedAccountId', ['Account'], 'ConvertedAccount', { readOnly: true }),
      { name: 'ConvertedDate', type: 'date', readOnly: true },
      AUTH0_ID,
    ],
    children: [{ relationshipName: 'Tasks', childObject: 'Task', field: 'WhoId' }],
  },
  {
    name: 'Task',
    keyPrefix: '00T',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('Subject'),
      {
        name: 'Status',
        type: 'picklist',
        defaultValue: 'Not Started',
        picklist: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
      },
      { name: 'Priority', type: 'picklist', defaultValue: 'Normal', picklist: ['High', 'Normal', 'Low'] },
      { name: 'ActivityDate', type: 'date' },
      { name: 'Description', type: 'textarea', length: 32000 },
      ref('WhoId', ['Contact', 'Lead'], 'Who'),
      ref('WhatId', ['Account', 'Opportunity'], 'What'),
      OWNER,
      text('Type', 40),
      { name: 'TaskSubtype', type: 'picklist', createOnly: true, picklist: ['Task', 'Email', 'Call'] },
      { name: 'IsClosed', type: 'boolean', readOnly: true, defaultValue: false },
      // Idempotency key of Tasks Concord creates (`salesforce.create` with `keyField`): upsert, never a duplicate.
      text('Concord_Key__c', 255, { externalId: true, unique: true }),
    ],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('Name', 120, { required: true }),
      {
        name: 'StageName',
        type: 'picklist',
        required: true,
        picklist: ['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
      },
      { name: 'CloseDate', type: 'date', required: true },
      ref('AccountId', ['Account'], 'Account'),
      ref('ContactId', ['Contact'], 'Contact'),
      { name: 'Amount', type: 'double' },
      OWNER,
      { name: 'IsWon', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'IsClosed', type: 'boolean', readOnly: true, defaultValue: false },
    ],
    children: [
      {
        relationshipName: 'OpportunityContactRoles',
        childObject: 'OpportunityContactRole',
        field: 'OpportunityId',
      },
      {
        relationshipName: 'OpportunityLineItems',
        childObject: 'OpportunityLineItem',
        field: 'OpportunityId',
      },
      { relationshipName: 'Tasks', childObject: 'Task', field: 'WhatId' },
    ],
  },
  {
    name: 'OpportunityContactRole',
    keyPrefix: '00K',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      ref('OpportunityId', ['Opportunity'], 'Opportunity', { required: true, createOnly: true }),
      ref('ContactId', ['Contact'], 'Contact', { required: true }),
      {
        name: 'Role',
        type: 'picklist',
        picklist: ['Business User', 'Decision Maker', 'Economic Buyer', 'Technical Buyer', 'Other'],
      },
      { name: 'IsPrimary', type: 'boolean', defaultValue: false },
    ],
  },
  {
    name: 'Product2',
    keyPrefix: '01t',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      text('Name', 255, { required: true }),
      text('ProductCode', 255),
      { name: 'Description', type: 'textarea', length: 4000 },
      { name: 'Family', type: 'picklist', picklist: ['Subscription', 'Seats', 'Add-on', 'Services'] },
      { name: 'IsActive', type: 'boolean', defaultValue: true },
    ],
    children: [
      { relationshipName: 'OpportunityLineItems', childObject: 'OpportunityLineItem', field: 'Product2Id' },
    ],
  },
  {
    name: 'OpportunityLineItem',
    keyPrefix: '00k',
    createable: true,
    fields: [
      ...SYSTEM_FIELDS,
      ref('OpportunityId', ['Opportunity'], 'Opportunity', { required: true, createOnly: true }),
      ref('Product2Id', ['Product2'], 'Product2', { required: true, createOnly: true }),
      text('Name', 376, { readOnly: true }),
      { name: 'Quantity', type: 'double', required: true },
      { name: 'UnitPrice', type: 'double', required: true },
      { name: 'TotalPrice', type: 'double', readOnly: true },
      text('Description', 255),
    ],
  },
  {
    /** Read-only, seeded from the configured stages: `SELECT ApiName, IsWon, IsClosed FROM OpportunityStage`. */
    name: 'OpportunityStage',
    keyPrefix: '01J',
    createable: false,
    fields: [
      ...SYSTEM_FIELDS,
      text('ApiName', 255, { readOnly: true }),
      text('MasterLabel', 255, { readOnly: true }),
      { name: 'IsActive', type: 'boolean', readOnly: true, defaultValue: true },
      { name: 'IsClosed', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'IsWon', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'SortOrder', type: 'int', readOnly: true },
    ],
  },
];

export interface ObjectSchema extends ObjectDef {
  /** Lower-cased field name → definition (SOQL and the REST API are case-insensitive on names). */
  byName: ReadonlyMap<string, FieldDef>;
  /** Lower-cased relationship name → reference field. */
  byRelationship: ReadonlyMap<string, FieldDef>;
  /** Lower-cased child relationship name → definition. */
  byChild: ReadonlyMap<string, ChildRelationshipDef>;
  uniqueFields: readonly FieldDef[];
}

function compile(def: ObjectDef): ObjectSchema {
  const byName = new Map(def.fields.map((f) => [f.name.toLowerCase(), f]));
  const byRelationship = new Map(
    def.fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f]),
  );
  const byChild = new Map((def.children ?? []).map((c) => [c.relationshipName.toLowerCase(), c]));
  const uniqueFields = def.fields.filter((f) => f.unique || f.externalId);
  return { ...def, byName, byRelationship, byChild, uniqueFields };
}

const SCHEMAS = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), compile(o)]));
const BY_PREFIX = new Map(OBJECTS.map((o) => [o.keyPrefix, o.name]));

/** Case-insensitive object lookup. */
export function objectSchema(name: string): ObjectSchema | undefined {
  return SCHEMAS.get(name.toLowerCase());
}

/** The object an Id belongs to, from its key prefix. */
export function objectForId(id: string): string | undefined {
  return BY_PREFIX.get(id.slice(0, 3));
}
