/**
 * Per-org settings a Salesforce admin would change in Setup: opportunity stages, duplicate rules, the
 * entities selected for Change Data Capture, the session timeout. Plain data, set at creation or by admin.
 */
export interface OpportunityStageDef {
  apiName: string;
  isClosed: boolean;
  isWon: boolean;
}

/** A standard-ish sales process; orgs rename these, which is why Concord reads `IsWon`, never the label. */
export const DEFAULT_STAGES: readonly OpportunityStageDef[] = [
  { apiName: 'Prospecting', isClosed: false, isWon: false },
  { apiName: 'Qualification', isClosed: false, isWon: false },
  { apiName: 'Negotiation/Review', isClosed: false, isWon: false },
  { apiName: 'Closed Won', isClosed: true, isWon: true },
  { apiName: 'Closed Lost', isClosed: true, isWon: false },
];

/** A duplicate rule: records of `object` whose `matchFields` all equal (case-insensitively) those of a live record. */
export interface DuplicateRuleDef {
  name: string;
  object: string;
  matchFields: readonly string[];
  /** `alert` can be bypassed with `Sforce-Duplicate-Rule-Header: allowSave=true`; `block` cannot. */
  action: 'alert' | 'block';
  /** Objects searched for matches (default: `object` itself), e.g. a Lead rule that also matches Contacts. */
  matchObjects?: readonly string[];
  /** Key of the match result in the error: Salesforce docs say `duplicateResult`, a real v54 org sent `duplicateResut`. */
  resultKey?: 'duplicateResult' | 'duplicateResut';
}

export interface OrgConfig {
  stages: OpportunityStageDef[];
  duplicateRules: DuplicateRuleDef[];
  /** Objects whose changes produce CDC events; undefined = every createable object. */
  cdcEntities: Set<string> | undefined;
  /** Session inactivity timeout (Salesforce default 2 h). */
  sessionTimeoutMs: number;
  /** CDC event retention (Salesforce: 72 h). */
  cdcRetentionMs: number;
  /** When the org's metadata last changed (describe's `Last-Modified`, `If-Modified-Since` → 304). */
  metadataModifiedAt: number;
}

export const HOUR = 3_600_000;
