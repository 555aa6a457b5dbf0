import type { z } from 'zod';
import type { Clock } from './clock.js';
import type { DomainEvent } from './events.js';
import type { Intent } from './intents.js';
import type { Auth0Port, SalesforcePort } from './ports.js';

/** The identity links a flow may read (the store implements it). */
export interface LinkReader {
  findLink(tenant: string, auth0UserId: string, org: string): Promise<IdentityLink | undefined>;
}

export interface IdentityLink {
  tenant: string;
  auth0UserId: string;
  org: string;
  object: string;
  recordId: string;
  matchedBy: string;
  reason: string;
}

/** A manual decision taken on a quarantined event (CLI or admin API), handed to the planner on replay. */
export type Resolution = { action: 'link'; object: string; recordId: string } | { action: 'create' };

/** A pipeline's own small key-value memory (episodes, last-sent times, content hashes). */
export interface StateReader {
  get<T = unknown>(key: string): Promise<T | undefined>;
}

/** Read-only context handed to planners. Flows never write; they return intents. */
export interface PlanContext<P> {
  params: P;
  pipeline: { name: string; tenant: string; org: string };
  auth0: Pick<Auth0Port, 'getUser' | 'getUsersByEmail' | 'getUserRoles' | 'listRoles' | 'clientId'>;
  salesforce: Pick<SalesforcePort, 'find' | 'retrieve' | 'describe'>;
  /** The Salesforce integration user's id, once known (Concord's own writes carry it as LastModifiedById). */
  salesforceUserId: () => string | undefined;
  links: LinkReader & { findByRecord(org: string, recordId: string): Promise<IdentityLink[]> };
  state: StateReader;
  clock: Clock;
  resolution?: Resolution;
}

export interface MatchCandidate {
  object: string;
  id: string;
  why: string;
}

/** State to remember once the plan's intents succeeded; `null` deletes a key. */
export type StateWrites = Record<string, unknown>;

export type Plan =
  | { outcome: 'write'; intents: Intent[]; reason: string; state?: StateWrites }
  | { outcome: 'in_sync'; reason: string; state?: StateWrites }
  | { outcome: 'filtered'; reason: string; state?: StateWrites }
  | { outcome: 'suppressed'; reason: string; state?: StateWrites }
  | { outcome: 'quarantined'; reason: string; candidates: MatchCandidate[] };

/** A Salesforce object a template watches (SOQL polling on SystemModstamp, or the change feed). */
export interface SalesforceTrigger {
  object: string;
  /** Fields the planner needs on the changed record (Id, SystemModstamp, LastModifiedById are added). */
  fields: readonly string[];
}

export interface TemplateDefinition<P = unknown> {
  id: string;
  summary: string;
  /** Salesforce objects whose changes trigger this template (for Salesforce → Auth0 templates). */
  salesforceTriggers?: (params: P) => readonly SalesforceTrigger[];
  /** Template parameters; validated as part of the config, defaults filled in. */
  params: z.ZodType<P>;
  /**
   * Whether an event is a trigger for this template with these parameters at all (cheap, no I/O). Asked when the
   * event is routed: an event no pipeline accepts gets its one outcome (filtered) there, without a job to run.
   */
  accepts(event: DomainEvent, params: P): boolean;
  /**
   * Templates whose earlier unfinished jobs for the same subject this template's jobs wait for, among live
   * pipelines on the same tenant and org: a first login's signal runs after the signup that creates its person,
   * instead of finding nobody and retrying.
   */
  runsAfter?: readonly string[];
  plan(event: DomainEvent, context: PlanContext<P>): Promise<Plan>;
}
