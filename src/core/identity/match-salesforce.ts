import type { SalesforcePort, SfCondition, SfRecord } from '../ports.js';
import type { LinkReader, MatchCandidate, Resolution } from '../template.js';
import { phoneSpellings, toE164 } from './phone.js';

/**
 * The identity ladder from an Auth0 user to a Salesforce person record. Each rung is tried in order and the
 * first that decides wins; the result says which rung and why, so every match can be explained later:
 *
 *   manual resolution → existing link → external id → email → phone → none (create)
 *
 * Contacts are preferred to Leads on every rung, and a converted Lead stands for its converted Contact.
 * Records already carrying another Auth0 user's id are never taken over: they make the match ambiguous.
 */
export type MatchRung = 'manual' | 'link' | 'external_id' | 'email' | 'phone';

export type MatchResult =
  | { kind: 'matched'; object: string; id: string; by: MatchRung; reason: string; record: SfRecord }
  | { kind: 'none'; reason: string }
  | { kind: 'ambiguous'; by: MatchRung; reason: string; candidates: MatchCandidate[] };

export interface MatchRequest {
  tenant: string;
  org: string;
  auth0UserId: string;
  email?: string;
  /** E.164 */
  phone?: string;
  /** Country assumed for stored numbers without a +country prefix. */
  defaultCountry?: string;
  externalIdField: string;
  /** Extra fields to read on a candidate of this object (for change detection); must exist on it. */
  readFields?: (object: string) => readonly string[];
  resolution?: Resolution;
  /** The rungs after link and external id, in the order to try them (default email, then phone). */
  order?: readonly ('email' | 'phone')[];
  /**
   * Other ids of the same person: the secondary identities of an Auth0 account that was linked (a database
   * user who later signed in with Google becomes one user whose `identities[]` holds both). A record linked to
   * any of them is this person's record.
   */
  linkedIds?: readonly string[];
  /** Person objects to search (default Contact, Lead); an org without the external-id field on one skips it. */
  objects?: readonly ('Contact' | 'Lead')[];
}

export interface MatchDependencies {
  salesforce: Pick<SalesforcePort, 'find' | 'retrieve'>;
  links: LinkReader;
}

const PERSON_OBJECTS = ['Contact', 'Lead'] as const;

/** Rows read per object for the whole ladder; more (a very common email, say) means a query per rung. */
const PREFETCH_LIMIT = 100;

export async function matchSalesforcePerson(
  request: MatchRequest,
  deps: MatchDependencies,
): Promise<MatchResult> {
  const fieldsFor = (object: string) => personFields(object, request);
  const { salesforce } = deps;
  const notes: string[] = [];

  const read = async (object: string, id: string): Promise<SfRecord | null> =>
    (await salesforce.retrieve(object, [id], fieldsFor(object)))[0] ?? null;

  /** A converted Lead stands for its Contact. */
  const settle = async (
    object: string,
    record: SfRecord,
  ): Promise<{ object: string; record: SfRecord } | null> => {
    if (
      object === 'Lead' &&
      record['IsConverted'] === true &&
      typeof record['ConvertedContactId'] === 'string'
    ) {
      const contact = await read('Contact', record['ConvertedContactId']);
      if (contact) {
        notes.push(`Lead ${record.Id} was converted to Contact ${contact.Id}`);
        return { object: 'Contact', record: contact };
      }
      return null;
    }
    return { object, record };
  };

  const matched = (by: MatchRung, object: string, record: SfRecord, why: string): MatchResult => ({
    kind: 'matched',
    object,
    id: record.Id,
    by,
    record,
    reason: [...notes, why].join('; '),
  });

  // 0. A person resolved a quarantined event by hand.
  if (request.resolution?.action === 'link') {
    const { object, recordId } = request.resolution;
    const record = await read(object, recordId);
    const settled = record ? await settle(object, record) : null;
    if (!settled) return { kind: 'none', reason: `manually chosen ${object} ${recordId} no longer exists` };
    return matched('manual', settled.object, settled.record, `an operator chose ${object} ${recordId}`);
  }
  if (request.resolution?.action === 'create')
    return { kind: 'none', reason: 'an operator chose to create a new record' };

  // 1. A link Concord recorded earlier (for this id, or for an identity since linked into this account).
  const ids = [request.auth0UserId, ...(request.linkedIds ?? []).filter((id) => id !== request.auth0UserId)];
  let link: Awaited<ReturnType<LinkReader['findLink']>>;
  for (const id of ids) {
    link ??= await deps.links.findLink(request.tenant, id, request.org);
  }
  if (link) {
    const record = await read(link.object, link.recordId);
    const settled = record ? await settle(link.object, record) : null;
    if (settled) {
      const via =
        link.auth0UserId === request.auth0UserId ? '' : ` through linked identity ${link.auth0UserId}`;
      return matched(
        'link',
        settled.object,
        settled.record,
        `linked earlier (${link.matchedBy}) to ${link.object} ${link.recordId}${via}`,
      );
    }
    notes.push(`linked ${link.object} ${link.recordId} no longer exists`);
  }

  // The external-id and email rungs' lookups on every person object at once: one query per object (external
  // id OR email), sent together, so they cost one round trip instead of up to four. The rungs below decide on
  // those rows in their usual order; a result at the limit falls back to a query per rung. Phone numbers,
  // with their dozen spellings, are looked up only when it comes to them (both fields in one query).
  const objects = request.objects ?? PERSON_OBJECTS;
  const byExternalId: SfCondition = { field: request.externalIdField, op: 'in', values: ids };
  const byEmail: SfCondition | undefined = request.email
    ? { field: 'Email', op: '=', value: request.email }
    : undefined;
  const spellings = request.phone ? phoneSpellings(request.phone) : [];
  const byPhone: SfCondition[] = request.phone
    ? ['Phone', 'MobilePhone'].map((field) => ({ field, op: 'in', values: spellings }))
    : [];
  const alternatives = [byExternalId, ...(byEmail ? [byEmail] : [])];
  const candidates = await Promise.all(
    objects.map((object) =>
      salesforce.find({
        object,
        fields: fieldsFor(object),
        where: alternatives.length === 1 ? alternatives : [],
        ...(alternatives.length > 1 ? { anyOf: alternatives } : {}),
        limit: PREFETCH_LIMIT,
      }),
    ),
  );
  const prefetched = candidates.every((rows) => rows.length < PREFETCH_LIMIT)
    ? new Map<string, SfRecord[]>(objects.map((object, i) => [object, candidates[i] ?? []]))
    : undefined;
  /** One rung's lookup on one object: from the prefetched rows, or its own query when they were cut short. */
  const lookup = async (object: string, condition: SfCondition, limit: number): Promise<SfRecord[]> => {
    const rows = prefetched?.get(object);
    if (!rows) return salesforce.find({ object, fields: fieldsFor(object), where: [condition], limit });
    const wanted = new Set(
      (condition.op === 'in' ? condition.values : [condition.value]).map((v) => String(v).toLowerCase()),
    );
    return rows
      .filter((r) => r[condition.field] != null && wanted.has(String(r[condition.field]).toLowerCase()))
      .slice(0, limit);
  };

  // 2. The external id field holds the Auth0 user id.
  for (const object of objects) {
    const found = await lookup(object, byExternalId, 10);
    // the account's own id first, then its linked identities in order
    found.sort(
      (a, b) =>
        ids.indexOf(String(a[request.externalIdField])) - ids.indexOf(String(b[request.externalIdField])),
    );
    for (const record of found) {
      const settled = await settle(object, record);
      if (settled) {
        const holder = String(record[request.externalIdField]);
        return matched(
          'external_id',
          settled.object,
          settled.record,
          holder === request.auth0UserId
            ? `${object}.${request.externalIdField} holds the Auth0 user id`
            : `${object}.${request.externalIdField} holds linked identity ${holder} of this Auth0 user`,
        );
      }
    }
  }

  // 3. Email, then 4. phone.
  const rungs: {
    by: 'email' | 'phone';
    describe: string;
    lookups: (object: string) => Promise<SfRecord[]>;
  }[] = [];
  if (request.email && byEmail) {
    const email = request.email;
    rungs.push({
      by: 'email',
      describe: 'same email (case-insensitive)',
      lookups: async (object) => {
        const found = await lookup(object, byEmail, 50);
        return found.filter(
          (r) => typeof r['Email'] === 'string' && r['Email'].toLowerCase() === email.toLowerCase(),
        );
      },
    });
  }
  if (request.phone) {
    const phone = request.phone;
    rungs.push({
      by: 'phone',
      describe: 'same phone number',
      lookups: async (object) => {
        const out = new Map<string, SfRecord>();
        const found = await salesforce.find({
          object,
          fields: fieldsFor(object),
          where: [],
          anyOf: byPhone,
          limit: 100,
        });
        for (const field of ['Phone', 'MobilePhone']) {
          for (const r of found)
            if (toE164(String(r[field] ?? ''), request.defaultCountry) === phone) out.set(r.Id, r);
        }
        return [...out.values()];
      },
    });
  }

  const order = request.order ?? ['email', 'phone'];
  rungs.sort((a, b) => order.indexOf(a.by) - order.indexOf(b.by));
  for (const rung of rungs) {
    // both objects' lookups in one round trip; Contacts still win
    const foundOn = await Promise.all(objects.map((object) => rung.lookups(object)));
    for (const [i, object] of objects.entries()) {
      const found = foundOn[i] ?? [];
      if (found.length === 0) continue;
      const settledById = new Map<string, { object: string; record: SfRecord }>();
      for (const record of found) {
        const settled = await settle(object, record);
        if (settled) settledById.set(settled.record.Id, settled);
      }
      const all = [...settledById.values()];
      if (all.length === 0) continue;
      const free = all.filter((s) => {
        const owner = s.record[request.externalIdField];
        return owner === null || owner === undefined || owner === '' || ids.includes(String(owner));
      });
      const taken = all.filter((s) => !free.includes(s));
      if (free.length === 1 && free[0]) {
        return matched(rung.by, free[0].object, free[0].record, `${free[0].object} has the ${rung.describe}`);
      }
      const candidates: MatchCandidate[] = all.map((s) => ({
        object: s.object,
        id: s.record.Id,
        why: taken.includes(s) ? `${rung.describe}, but already linked to another Auth0 user` : rung.describe,
      }));
      const reason =
        free.length > 1
          ? `${free.length} ${object} records have the ${rung.describe}; cannot choose one`
          : `the ${object} with the ${rung.describe} is already linked to another Auth0 user`;
      return { kind: 'ambiguous', by: rung.by, reason: [...notes, reason].join('; '), candidates };
    }
  }

  return {
    kind: 'none',
    reason: [...notes, 'no Contact or Lead matches by link, external id, email or phone'].join('; '),
  };
}

function personFields(object: string, request: MatchRequest): string[] {
  const base = ['Id', 'Email', 'Phone', 'MobilePhone', request.externalIdField];
  if (object === 'Lead') base.push('IsConverted', 'ConvertedContactId');
  return [...new Set([...base, ...(request.readFields?.(object) ?? [])])];
}
