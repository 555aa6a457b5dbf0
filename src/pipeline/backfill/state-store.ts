/**
 * The backfill's state in the store: its checkpoint (`checkpoints` table) and the identity links of the rows
 * it wrote (`identity_links`, matchedBy `backfill`), committed together after each job.
 */
import type { BulkRowSuccess } from '../../core/backfill-ports.js';
import { type Db, findLink, getCheckpoint, setCheckpoint, upsertLink } from '../../store/index.js';
import { type BackfillCheckpoint, checkpointName, parseCheckpoint } from './checkpoint.js';
import type { BackfillStatePort } from './run-backfill.js';

export interface BackfillStoreOptions {
  db: Db;
  pipeline: string;
  tenant: string;
  org: string;
  object: string;
  now: () => number;
}

export const linkReason = (runId: string) => `backfill ${runId}`;

export function createBackfillState(options: BackfillStoreOptions): BackfillStatePort {
  const { db, now } = options;
  const name = checkpointName(options.pipeline);
  return {
    async load() {
      const text = await getCheckpoint(db, name);
      return text === undefined ? undefined : parseCheckpoint(text);
    },
    save: (checkpoint: BackfillCheckpoint) => setCheckpoint(db, name, JSON.stringify(checkpoint), now()),
    async commit(links: readonly BulkRowSuccess[], checkpoint: BackfillCheckpoint) {
      const at = now();
      await db.kysely.transaction().execute(async (trx) => {
        const inTrx: Db = { ...db, kysely: trx };
        for (const link of links) {
          await upsertLink(
            inTrx,
            {
              tenant: options.tenant,
              auth0UserId: link.externalId,
              org: options.org,
              object: options.object,
              recordId: link.id,
              matchedBy: 'backfill',
              reason: linkReason(checkpoint.runId),
            },
            at,
          );
        }
        await setCheckpoint(inTrx, name, JSON.stringify(checkpoint), at);
      });
    },
    async written(runId, userIds) {
      const done = new Set<string>();
      for (const id of userIds) {
        const link = await findLink(db, options.tenant, id, options.org);
        if (link?.matchedBy === 'backfill' && link.reason === linkReason(runId)) done.add(id);
      }
      return done;
    },
  };
}
