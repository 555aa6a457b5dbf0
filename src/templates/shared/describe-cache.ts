import type { SalesforcePort } from '../../core/ports.js';

export interface DescribedFields {
  all: ReadonlySet<string>;
  createable: ReadonlySet<string>;
  updateable: ReadonlySet<string>;
}

const TTL_MS = 10 * 60_000;
const cache = new WeakMap<object, Map<string, { at: number; value: Promise<DescribedFields> }>>();

/**
 * Field names of an object as the integration user sees them (field-level security hides fields from
 * describe), cached per connector for ten minutes so planners do not spend API calls on it.
 */
export function describeFields(
  salesforce: Pick<SalesforcePort, 'describe'>,
  _org: string,
  object: string,
): Promise<DescribedFields> {
  let perPort = cache.get(salesforce);
  if (!perPort) {
    perPort = new Map();
    cache.set(salesforce, perPort);
  }
  const hit = perPort.get(object);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = salesforce.describe(object).then((d) => ({
    all: new Set(d.fields.map((f) => f.name)),
    createable: new Set(d.fields.filter((f) => f.createable).map((f) => f.name)),
    updateable: new Set(d.fields.filter((f) => f.updateable).map((f) => f.name)),
  }));
  value.catch(() => perPort.delete(object));
  perPort.set(object, { at: Date.now(), value });
  return value;
}
