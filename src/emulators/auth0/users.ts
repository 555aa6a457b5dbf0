import { createHash } from 'node:crypto';
import type { Auth0User } from '../../core/ports.js';
import { badRequest, userExists, userNotFound } from './api-error.js';
import { newDatabaseUserId, newSocialUserId } from './ids.js';
import { DATABASE_CONNECTION, type EmulatorState, isoNow } from './state.js';
import { emitUserEvent } from './user-events.js';

/** Fields a caller may set on create (POST /users, admin signup). */
export interface NewUserInput {
  connection: string;
  email?: string;
  password?: string;
  user_id?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  nickname?: string;
  picture?: string;
  phone_number?: string;
  email_verified?: boolean;
  blocked?: boolean;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

const SOCIAL_PROVIDERS = new Set(['google-oauth2', 'github', 'facebook', 'apple', 'windowslive', 'linkedin']);

export function getUserOrThrow(state: EmulatorState, userId: string): Auth0User {
  const user = state.users.get(userId);
  if (!user) throw userNotFound();
  return user;
}

/** Creates a user shaped like Auth0's (reference §2.2): database users get `auth0|` + 24 hex. */
export function createUser(
  state: EmulatorState,
  input: NewUserInput,
  options: { silent?: boolean } = {},
): Auth0User {
  const provider = SOCIAL_PROVIDERS.has(input.connection) ? input.connection : 'auth0';
  const isSocial = provider !== 'auth0';
  if (!input.email && !isSocial)
    throw badRequest("Payload validation error: 'Missing required property: email'.");
  const email = input.email?.toLowerCase();
  if (email && findInConnection(state, email, input.connection)) throw userExists();
  const localId = input.user_id ?? (isSocial ? newSocialUserId(provider) : newDatabaseUserId());
  const userId = `${provider}|${localId}`;
  if (state.users.has(userId)) throw userExists();
  const now = isoNow(state);
  const user: Auth0User = {
    user_id: userId,
    ...(email ? { email } : {}),
    email_verified: input.email_verified ?? isSocial,
    ...(input.phone_number ? { phone_number: input.phone_number } : {}),
    // database users are named by their email; social users by the IdP's profile
    name: input.name ?? (isSocial ? displayName(input) : undefined) ?? email ?? localId,
    nickname: input.nickname ?? email?.split('@')[0] ?? localId,
    ...(input.given_name ? { given_name: input.given_name } : {}),
    ...(input.family_name ? { family_name: input.family_name } : {}),
    picture: input.picture ?? avatarUrl(email ?? userId),
    created_at: now,
    updated_at: now,
    identities: [{ connection: input.connection, user_id: localId, provider, isSocial }],
    ...(input.blocked !== undefined ? { blocked: input.blocked } : {}),
    ...(input.app_metadata ? { app_metadata: { ...input.app_metadata } } : {}),
    ...(input.user_metadata ? { user_metadata: { ...input.user_metadata } } : {}),
  };
  state.users.set(userId, user);
  if (input.password) state.passwords.set(userId, input.password);
  if (email) indexEmail(state, email, userId);
  if (!options.silent) emitUserEvent(state, 'user.created', user);
  return user;
}

function displayName(input: NewUserInput) {
  if (!input.given_name && !input.family_name) return undefined;
  return [input.given_name, input.family_name].filter(Boolean).join(' ');
}

/** Gravatar with Auth0's initials fallback, as new database users get. */
function avatarUrl(seed: string) {
  const hash = createHash('md5').update(seed).digest('hex');
  const initials = seed
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 2)
    .toLowerCase();
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F${initials}.png`;
}

function indexEmail(state: EmulatorState, email: string, userId: string) {
  let ids = state.usersByEmail.get(email);
  if (!ids) {
    ids = new Set();
    state.usersByEmail.set(email, ids);
  }
  ids.add(userId);
}

function unindexEmail(state: EmulatorState, email: string, userId: string) {
  const ids = state.usersByEmail.get(email);
  ids?.delete(userId);
  if (ids?.size === 0) state.usersByEmail.delete(email);
}

export function usersByEmail(state: EmulatorState, email: string): Auth0User[] {
  const ids = state.usersByEmail.get(email.toLowerCase());
  return ids ? [...ids].map((id) => state.users.get(id)!).filter(Boolean) : [];
}

/** The user of this connection with this email, if any (an email is unique within a connection). */
export function findInConnection(state: EmulatorState, email: string, connection: string) {
  return usersByEmail(state, email).find((u) => u.identities?.some((i) => i.connection === connection));
}

const METADATA_KEYS = ['app_metadata', 'user_metadata'] as const;
const IMMUTABLE_KEYS = new Set([
  'user_id',
  'identities',
  'created_at',
  'updated_at',
  'logins_count',
  'last_login',
]);

/**
 * Applies a PATCH: top-level fields replace, metadata merges shallowly and `null` deletes a key;
 * `updated_at` moves on every call.
 */
export function updateUser(state: EmulatorState, userId: string, patch: Record<string, unknown>): Auth0User {
  const user = getUserOrThrow(state, userId);
  const next: Auth0User = { ...user };
  for (const [key, value] of Object.entries(patch)) {
    if (IMMUTABLE_KEYS.has(key) || key === 'password' || key === 'connection' || key === 'client_id')
      continue;
    if ((METADATA_KEYS as readonly string[]).includes(key)) {
      next[key] = mergeMetadata(user[key] as Record<string, unknown> | undefined, value);
    } else if (value === null) {
      delete next[key];
    } else {
      next[key] = key === 'email' && typeof value === 'string' ? value.toLowerCase() : value;
    }
  }
  if (typeof patch.password === 'string') state.passwords.set(userId, patch.password);
  if (next.email !== user.email) {
    if (
      next.email &&
      findInConnection(state, next.email, user.identities?.[0]?.connection ?? DATABASE_CONNECTION)
    )
      throw userExists();
    if (user.email) unindexEmail(state, user.email, userId);
    if (next.email) indexEmail(state, next.email, userId);
  }
  next.updated_at = isoNow(state);
  state.users.set(userId, next);
  emitUserEvent(state, 'user.updated', next);
  return next;
}

function mergeMetadata(current: Record<string, unknown> | undefined, patch: unknown) {
  if (patch === null) return {};
  if (typeof patch !== 'object' || Array.isArray(patch))
    throw badRequest('Payload validation error: metadata must be an object.');
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function deleteUser(state: EmulatorState, userId: string): void {
  const user = getUserOrThrow(state, userId);
  state.users.delete(userId);
  state.passwords.delete(userId);
  state.userRoles.delete(userId);
  state.mfaFactors.delete(userId);
  if (user.email) unindexEmail(state, user.email, userId);
  emitUserEvent(state, 'user.deleted', user);
}

/** Sets fields Auth0 maintains itself (no PATCH semantics); `event` says whether Event Streams see it. */
export function touchUser(
  state: EmulatorState,
  userId: string,
  fields: Partial<Auth0User>,
  event = true,
): Auth0User {
  const next = { ...getUserOrThrow(state, userId), ...fields, updated_at: isoNow(state) };
  state.users.set(userId, next);
  if (event) emitUserEvent(state, 'user.updated', next);
  return next;
}

/** Counts a login on the user (as Auth0 does before writing `s`) and returns the updated user. */
export function recordLogin(state: EmulatorState, userId: string, ip: string): Auth0User {
  const user = getUserOrThrow(state, userId);
  const next = {
    ...user,
    logins_count: (user.logins_count ?? 0) + 1,
    last_login: isoNow(state),
    last_ip: ip,
  };
  state.users.set(userId, next);
  return next;
}
