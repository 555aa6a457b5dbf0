import type { Selectable } from 'kysely';
import type { IdentityLink } from '../core/template.js';
import { type Db, directStatements } from './database.js';
import type { IdentityLinksTable } from './schema.js';

function toLink(row: Selectable<IdentityLinksTable>): IdentityLink {
  return {
    tenant: row.tenant,
    auth0UserId: row.auth0_user_id,
    org: row.org,
    object: row.object,
    recordId: row.record_id,
    matchedBy: row.matched_by,
    reason: row.reason,
  };
}

export async function findLink(
  db: Db,
  tenant: string,
  auth0UserId: string,
  org: string,
): Promise<IdentityLink | undefined> {
  const direct = directStatements(db);
  const row = direct
    ? (direct('SELECT * FROM identity_links WHERE tenant = ? AND auth0_user_id = ? AND org = ?').get(
        tenant,
        auth0UserId,
        org,
      ) as Selectable<IdentityLinksTable> | undefined)
    : await db.kysely
        .selectFrom('identity_links')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('auth0_user_id', '=', auth0UserId)
        .where('org', '=', org)
        .executeTakeFirst();
  return row ? toLink(row) : undefined;
}

export async function findLinksByRecord(db: Db, org: string, recordId: string): Promise<IdentityLink[]> {
  const rows = await db.kysely
    .selectFrom('identity_links')
    .selectAll()
    .where('org', '=', org)
    .where('record_id', '=', recordId)
    .orderBy('id')
    .execute();
  return rows.map(toLink);
}

/** Records (or moves) the link of an Auth0 user to a Salesforce record in an org. */
export async function upsertLink(db: Db, link: IdentityLink, now: number) {
  await db.kysely
    .insertInto('identity_links')
    .values({
      tenant: link.tenant,
      auth0_user_id: link.auth0UserId,
      org: link.org,
      object: link.object,
      record_id: link.recordId,
      matched_by: link.matchedBy,
      reason: link.reason,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant', 'auth0_user_id', 'org']).doUpdateSet({
        object: link.object,
        record_id: link.recordId,
        matched_by: link.matchedBy,
        reason: link.reason,
        updated_at: now,
      }),
    )
    .execute();
}

export async function listLinks(
  db: Db,
  filter: { tenant?: string; auth0UserId?: string; limit?: number } = {},
) {
  let q = db.kysely.selectFrom('identity_links').selectAll();
  if (filter.tenant) q = q.where('tenant', '=', filter.tenant);
  if (filter.auth0UserId) q = q.where('auth0_user_id', '=', filter.auth0UserId);
  return q
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
}
