/**
 * Object rules Salesforce enforces beyond field types: derived read-only fields (Opportunity `IsWon` /
 * `IsClosed` from the configured stages, Task `IsClosed`, line item totals) and cross-field integrity
 * (a Task whose WhoId is a Lead cannot have a WhatId).
 */
import { sfError } from './errors.js';
import { objectForId, type ObjectSchema } from './schema.js';
import type { OrgState } from './state.js';

type Fields = Record<string, unknown>;

function opportunity(state: OrgState, fields: Fields): void {
  const stageName = fields['StageName'];
  if (typeof stageName !== 'string') return;
  const stage = state.config.stages.find((s) => s.apiName.toLowerCase() === stageName.toLowerCase());
  if (!stage) {
    throw sfError(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `Stage: bad value for restricted picklist field: ${stageName}`,
      ['StageName'],
    );
  }
  fields['StageName'] = stage.apiName;
  fields['IsWon'] = stage.isWon;
  fields['IsClosed'] = stage.isClosed;
}

function task(fields: Fields): void {
  const who = fields['WhoId'];
  if (typeof who === 'string' && objectForId(who) === 'Lead' && fields['WhatId']) {
    throw sfError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'Related To ID: id value of incorrect type: a Task whose Name (WhoId) is a Lead cannot be related to another record',
      ['WhatId'],
    );
  }
  fields['IsClosed'] = fields['Status'] === 'Completed';
}

function lineItem(state: OrgState, fields: Fields): void {
  const quantity = fields['Quantity'];
  const price = fields['UnitPrice'];
  fields['TotalPrice'] = typeof quantity === 'number' && typeof price === 'number' ? quantity * price : null;
  const opp = state.tables.get('Opportunity')?.byId.get(String(fields['OpportunityId']));
  const product = state.tables.get('Product2')?.byId.get(String(fields['Product2Id']));
  fields['Name'] = [opp?.fields['Name'], product?.fields['Name']].filter((v) => v).join(' ') || null;
}

/** Applies the object's rules to the merged field values of a create or update, in place. */
export function applyObjectRules(state: OrgState, schema: ObjectSchema, fields: Fields): void {
  switch (schema.name) {
    case 'Opportunity':
      opportunity(state, fields);
      break;
    case 'Task':
      task(fields);
      break;
    case 'OpportunityLineItem':
      lineItem(state, fields);
      break;
  }
}
