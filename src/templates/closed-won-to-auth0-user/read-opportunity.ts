import type { SalesforcePort, SfRecord } from '../../core/ports.js';

export interface ContactRole {
  contactId: string;
  isPrimary: boolean;
  role?: string;
}

export interface LineItem {
  productCode?: string;
  family?: string;
  quantity?: number;
}

export interface WonOpportunity {
  id: string;
  isWon: boolean;
  accountId?: string;
  contactId?: string;
  contactRoles: ContactRole[];
  lineItems: LineItem[];
}

const ROLE_FIELDS = ['ContactId', 'IsPrimary', 'Role'] as const;
const ITEM_FIELDS = ['Product2.ProductCode', 'Product2.Family', 'Quantity'] as const;

type ChildResult = { done?: boolean; records?: SfRecord[] } | null | undefined;

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The Opportunity as Salesforce has it now, with its contact roles and products, in one SOQL query (child
 * subqueries). A child list Salesforce cut short (`done: false`) is read again in full by its own query.
 */
export async function readOpportunity(
  salesforce: Pick<SalesforcePort, 'find'>,
  id: string,
): Promise<WonOpportunity | undefined> {
  const [row] = await salesforce.find({
    object: 'Opportunity',
    fields: ['Id', 'IsWon', 'AccountId', 'ContactId'],
    where: [{ field: 'Id', op: '=', value: id }],
    children: [
      { relationship: 'OpportunityContactRoles', fields: ROLE_FIELDS },
      { relationship: 'OpportunityLineItems', fields: ITEM_FIELDS },
    ],
  });
  if (!row) return undefined;

  const children = async (relationship: string, object: string, fields: readonly string[]) => {
    const result = row[relationship] as ChildResult;
    if (!result) return [];
    if (result.done !== false) return result.records ?? [];
    return salesforce.find({ object, fields, where: [{ field: 'OpportunityId', op: '=', value: id }] });
  };
  const roles = await children('OpportunityContactRoles', 'OpportunityContactRole', ROLE_FIELDS);
  const items = await children('OpportunityLineItems', 'OpportunityLineItem', ITEM_FIELDS);

  return {
    id: row.Id,
    isWon: row['IsWon'] === true,
    accountId: text(row['AccountId']),
    contactId: text(row['ContactId']),
    contactRoles: roles.flatMap((r) => {
      const contactId = text(r['ContactId']);
      return contactId ? [{ contactId, isPrimary: r['IsPrimary'] === true, role: text(r['Role']) }] : [];
    }),
    lineItems: items.map((r) => {
      const product = (r['Product2'] ?? {}) as Record<string, unknown>;
      return {
        productCode: text(product['ProductCode']),
        family: text(product['Family']),
        quantity: typeof r['Quantity'] === 'number' ? r['Quantity'] : undefined,
      };
    }),
  };
}
