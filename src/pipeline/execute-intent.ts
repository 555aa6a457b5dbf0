import { ConcordError } from '../core/errors.js';
import type { Intent } from '../core/intents.js';
import type { Auth0Port, SalesforcePort, SfWriteResult } from '../core/ports.js';
import { describeFields } from '../templates/shared/describe-cache.js';

export interface IntentResult {
  id: string;
  created: boolean;
  /** Extra output worth keeping. */
  detail?: string;
}

export interface IntentTargets {
  salesforce: SalesforcePort;
  auth0: Auth0Port;
  org: string;
}

const REF = /^@\{([a-z][a-zA-Z0-9_]*)\}$/;

/** Replaces `@{ref}` strings with earlier results' ids, anywhere in the intent. */
export function resolveRefs<T>(value: T, results: ReadonlyMap<string, IntentResult>): T {
  if (typeof value === 'string') {
    const match = REF.exec(value);
    if (!match) return value;
    const found = results.get(match[1]!);
    if (!found)
      throw new ConcordError(`intent refers to @{${match[1]}} before it ran`, {
        code: 'internal',
        retryable: false,
      });
    return found.id as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, results)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, results);
    return out as T;
  }
  return value;
}

function unwrap(result: SfWriteResult | undefined, what: string): IntentResult {
  if (!result) throw new ConcordError(`no result for ${what}`, { code: 'internal', retryable: true });
  if (!result.ok) throw result.error;
  return { id: result.id, created: result.created };
}

/** Performs one intent through the connectors; a failed record becomes a thrown ConcordError. */
export async function executeIntent(intent: Intent, targets: IntentTargets): Promise<IntentResult> {
  const { salesforce, auth0 } = targets;
  switch (intent.kind) {
    case 'salesforce.upsert': {
      const [result] = await salesforce.upsert(intent.object, intent.externalIdField, [
        { ...intent.fields, [intent.externalIdField]: intent.externalId },
      ]);
      return unwrap(result, intent.kind);
    }
    case 'salesforce.update': {
      const [result] = await salesforce.update(intent.object, [{ ...intent.fields, Id: intent.id }]);
      return unwrap(result, intent.kind);
    }
    case 'salesforce.create': {
      const keyField = intent.keyField;
      if (keyField && (await describeFields(salesforce, targets.org, intent.object)).all.has(keyField)) {
        const [result] = await salesforce.upsert(intent.object, keyField, [
          { ...intent.fields, [keyField]: intent.key },
        ]);
        return unwrap(result, intent.kind);
      }
      const [result] = await salesforce.create(intent.object, [intent.fields]);
      return unwrap(result, intent.kind);
    }
    case 'auth0.create_user': {
      try {
        const user = await auth0.createUser({ ...intent.user, password: strongPassword() });
        return { id: user.user_id, created: true };
      } catch (error) {
        // 409: someone (another event, another instance) created this user meanwhile. Planning again on the
        // current state finds and uses it, so the job is retried rather than dead-lettered.
        if (error instanceof ConcordError && error.code === 'conflict') {
          throw new ConcordError(`the Auth0 user already exists; planning again: ${error.message}`, {
            code: 'conflict',
            retryable: true,
            retryAfterMs: 0,
            cause: error,
          });
        }
        throw error;
      }
    }
    case 'auth0.update_user': {
      const user = await auth0.updateUser(intent.userId, intent.patch);
      return { id: user.user_id, created: false };
    }
    case 'auth0.assign_roles':
      await auth0.assignRoles(intent.userId, intent.roleIds);
      return { id: intent.userId, created: false };
    case 'auth0.remove_roles':
      await auth0.removeRoles(intent.userId, intent.roleIds);
      return { id: intent.userId, created: false };
    case 'auth0.invitation_email':
      await auth0.sendPasswordChangeEmail({
        email: intent.email,
        connection: intent.connection,
        clientId: intent.clientId,
      });
      return { id: intent.userId, created: false, detail: 'invitation email sent' };
  }
}

/** A random password nobody knows: the user sets their own through the invitation's link. */
function strongPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${Buffer.from(bytes).toString('base64url')}aA1!`;
}
