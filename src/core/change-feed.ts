/**
 * The change-feed port: record changes pushed by a vendor (Salesforce Change Data Capture), in vendor-neutral
 * words. Events are hints: gap and overflow events carry no field values and mean "re-read these records" or
 * "resync the entity". Polling stays the safety net; a feed only makes changes arrive sooner.
 */
export const CHANGE_TYPES = ['create', 'update', 'delete', 'undelete', 'gap', 'overflow'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface ChangeEvent {
  /** The vendor's object name (`Contact`). */
  entity: string;
  recordIds: readonly string[];
  changeType: ChangeType;
  /** For gap events, the change the vendor could not describe (`update`); undefined otherwise. */
  gapOf?: Exclude<ChangeType, 'gap' | 'overflow'>;
  /** Field names changed by an update; absent ≠ null. */
  changedFields: readonly string[];
  nulledFields: readonly string[];
  /** New values of the fields the event carries (none for delete, gap and overflow). */
  fields: Readonly<Record<string, unknown>>;
  /** Who made the change: the API client stamp (`concord`) if any, and the vendor user id — for loop suppression. */
  origin: { client: string | undefined; userId: string | undefined };
  /** Changes of one transaction share this key and are ordered by `sequence`. */
  transactionKey: string;
  sequence: number;
  committedAt: number;
  /** Opaque resume position: pass it as `fromReplayId` to continue after this event. */
  replayId: string;
}

export interface ChangeFeedSubscription {
  entities: readonly string[];
  /** `latest` (only new changes), `earliest` (everything retained) or a `replayId` to continue after. */
  fromReplayId: string;
  /** Called with each batch in order; the next batch waits for the promise (back-pressure). */
  onEvents(events: readonly ChangeEvent[]): Promise<void>;
  /** Aborting ends the subscription; `subscribe` then resolves. */
  signal: AbortSignal;
}

export interface ChangeFeedPort {
  /** Delivers changes until `signal` aborts; rejects (with a ConcordError) when it cannot go on. */
  subscribe(subscription: ChangeFeedSubscription): Promise<void>;
}
