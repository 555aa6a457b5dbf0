/**
 * The small interfaces the core owns. Vendor libraries (jsforce, HTTP clients) live behind them in
 * `src/connectors/<vendor>/`; the core never imports them.
 */
import type { ConcordError } from './errors.js';

// ───────────────────────────── Salesforce ─────────────────────────────

/** A record as Salesforce returns it, without the `attributes` envelope. Always carries `Id` when read. */
export type SfRecord = { Id: string } & Record<string, unknown>;
/** Field values to write. Never contains `Id` or the external-id field used as the upsert key. */
export type SfFields = Record<string, unknown>;

/** One record's result in a batched write; results come back in request order. */
export type SfWriteResult = { ok: true; id: string; created: boolean } | { ok: false; error: ConcordError };

export interface SfFieldDescribe {
  name: string;
  type: string;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  externalId: boolean;
  unique: boolean;
  /** True when the field must be given on create (not nillable, no default, createable). */
  requiredOnCreate: boolean;
  length?: number;
  picklistValues?: string[];
}

export interface SObjectDescribe {
  name: string;
  fields: SfFieldDescribe[];
}

/** A comparison in a `find` call. Values are escaped by the connector's SOQL builder, never by callers. */
export type SfCondition =
  | { field: string; op: '=' | '!='; value: string | number | boolean | null }
  | { field: string; op: 'in'; values: readonly (string | number)[] }
  | { field: string; op: 'like'; value: string };

/**
 * A child relationship read in the same query (`(SELECT … FROM OpportunityLineItems)`). Its rows come back
 * under the relationship name as `{ totalSize, done, records }` (or `null` when there are none); a result
 * with `done: false` holds only the first batch of children.
 */
export interface SfChildQuery {
  /** The child relationship name, e.g. `OpportunityContactRoles`. */
  relationship: string;
  fields: readonly string[];
  where?: readonly SfCondition[];
  orderBy?: string;
  limit?: number;
}

export interface SfFindRequest {
  object: string;
  fields: readonly string[];
  /** Conditions joined by AND. */
  where: readonly SfCondition[];
  /** When given, at least one of these must hold too: `where AND (anyOf[0] OR anyOf[1] …)`. */
  anyOf?: readonly SfCondition[];
  orderBy?: string;
  limit?: number;
  /** Child subqueries, selected after `fields`. */
  children?: readonly SfChildQuery[];
}

/** One sObject Collections write: up to 200 records of one object, as one API call or one composite subrequest. */
export type CollectionWrite =
  | { op: 'create'; object: string; records: readonly SfFields[] }
  | { op: 'update'; object: string; records: readonly ({ Id: string } & SfFields)[] }
  | { op: 'upsert'; object: string; externalIdField: string; records: readonly SfFields[] };

/**
 * At most this many Collections or query subrequests go into one `/composite` call (Salesforce allows 25
 * subrequests, of which 5 may be sObject Collections or query operations).
 */
export const MAX_COMPOSITE_COLLECTIONS = 5;

/** One subrequest of a `/composite` call: a Collections write, a query, or a Collections retrieve by Id. */
export type CompositeOp =
  | { kind: 'write'; write: CollectionWrite }
  | { kind: 'find'; request: SfFindRequest }
  | { kind: 'retrieve'; object: string; ids: readonly string[]; fields: readonly string[] };

/**
 * What one op of a composite call gave, in request order: a write's per-record results (a subrequest that
 * failed as a whole gives each record its error), a read's rows as `find`/`retrieve` return them, or the error
 * a read's subrequest got.
 */
export type CompositeOutcome =
  | { kind: 'write'; results: SfWriteResult[] }
  | { kind: 'find'; rows: SfRecord[] }
  | { kind: 'retrieve'; rows: (SfRecord | null)[] }
  | { kind: 'error'; error: unknown };

/** One op as a call (or calls) of its own through the port's plain methods, with the outcome `composite` gives. */
export async function sendAlone(port: SalesforcePort, op: CompositeOp): Promise<CompositeOutcome> {
  try {
    switch (op.kind) {
      case 'find':
        return { kind: 'find', rows: await port.find(op.request) };
      case 'retrieve':
        return { kind: 'retrieve', rows: await port.retrieve(op.object, op.ids, op.fields) };
      case 'write': {
        const { write } = op;
        const results =
          write.op === 'create'
            ? await port.create(write.object, write.records)
            : write.op === 'update'
              ? await port.update(write.object, write.records)
              : await port.upsert(write.object, write.externalIdField, write.records);
        return { kind: 'write', results };
      }
    }
  } catch (error) {
    return { kind: 'error', error };
  }
}

export interface SalesforcePort {
  /** Runs a SELECT built from the request, following every page. */
  find(request: SfFindRequest): Promise<SfRecord[]>;
  /** Reads records by Id; a missing or deleted record yields `null` in its position. */
  retrieve(object: string, ids: readonly string[], fields: readonly string[]): Promise<(SfRecord | null)[]>;
  /** Creates records (sObject Collections, ≤ 200 per call, split by the connector). */
  create(object: string, records: readonly SfFields[]): Promise<SfWriteResult[]>;
  /** Updates records by Id (each record carries `Id`). */
  update(object: string, records: readonly ({ Id: string } & SfFields)[]): Promise<SfWriteResult[]>;
  /** Upserts by an external-id field; each record carries that field's value. */
  upsert(object: string, externalIdField: string, records: readonly SfFields[]): Promise<SfWriteResult[]>;
  /**
   * Several writes and reads (≤ `MAX_COMPOSITE_COLLECTIONS`, writes ≤ 200 records each) in one `/composite`
   * call, not all-or-none: one outcome per op, in order. A failure of the call itself throws.
   */
  composite?(ops: readonly CompositeOp[]): Promise<CompositeOutcome[]>;
  describe(object: string): Promise<SObjectDescribe>;
  /** The API usage the org last reported (`Sforce-Limit-Info`), if any call has been made. */
  apiUsage(): { used: number; limit: number } | undefined;
}

// ───────────────────────────── Auth0 ─────────────────────────────

export interface Auth0Identity {
  connection: string;
  user_id: string;
  provider: string;
  isSocial: boolean;
}

/** The parts of an Auth0 user Concord reads. Unknown fields are kept (`passthrough`) for mappings. */
export interface Auth0User {
  user_id: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  created_at?: string;
  updated_at?: string;
  last_login?: string;
  logins_count?: number;
  blocked?: boolean;
  identities?: Auth0Identity[];
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Auth0Role {
  id: string;
  name: string;
  description?: string;
}

export interface Auth0NewUser {
  connection: string;
  email: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  email_verified?: boolean;
  /** Database connections need one; Concord sends a random one, and the invitation lets the user set theirs. */
  password?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

/** One page of the tenant log in checkpoint mode (`from`/`take`). */
export interface Auth0LogPage {
  records: { log_id: string; [key: string]: unknown }[];
  /** The `from` for the next page; equals the request's `from` when there is nothing newer. */
  next: string | undefined;
}

export interface Auth0Port {
  /** `null` when the user does not exist (deleted meanwhile). */
  getUser(userId: string): Promise<Auth0User | null>;
  /** Every user with this email (database and social users may share one). */
  getUsersByEmail(email: string): Promise<Auth0User[]>;
  createUser(user: Auth0NewUser): Promise<Auth0User>;
  /** PATCH semantics: top-level metadata keys are merged, `null` deletes a key. */
  updateUser(userId: string, patch: Record<string, unknown>): Promise<Auth0User>;
  getUserRoles(userId: string): Promise<Auth0Role[]>;
  assignRoles(userId: string, roleIds: readonly string[]): Promise<void>;
  removeRoles(userId: string, roleIds: readonly string[]): Promise<void>;
  /** Every role of the tenant (for name → id maps). */
  listRoles(): Promise<Auth0Role[]>;
  /**
   * The invitation for users Concord created: Auth0 emails the user of this database connection its "Change
   * Password" template (Authentication API `POST /dbconnections/change_password`). `clientId` is the
   * application the link leads back to.
   */
  sendPasswordChangeEmail(input: { email: string; connection: string; clientId: string }): Promise<void>;
  /** Log records after `from` (checkpoint mode), oldest first as Auth0 returns them. */
  getLogs(input: { from?: string; take: number }): Promise<Auth0LogPage>;
  /** The M2M client id Concord calls with: its own writes carry it in `sapi` records. */
  readonly clientId: string;
}
