import { createHash } from 'node:crypto';
import { ConcordError } from '../../core/errors.js';
import type { Auth0Role } from '../../core/ports.js';
import type { EntitlementsToRolesParams } from './params.js';

export interface Entitlements {
  seats: number | 'unlimited';
  flags: string[];
  contractTier: string | null;
}

/** The entitlement fields of an Account record, normalised (flags sorted, blanks → null). */
export function readEntitlements(
  record: Record<string, unknown>,
  params: EntitlementsToRolesParams,
): Entitlements {
  const rawSeats = record[params.seatsField];
  const seatsNumber =
    typeof rawSeats === 'number' ? rawSeats : rawSeats == null || rawSeats === '' ? NaN : Number(rawSeats);
  const seats = Number.isFinite(seatsNumber) ? Math.max(0, Math.floor(seatsNumber)) : params.seatsWhenEmpty;
  const rawFlags = record[params.flagsField];
  const flags =
    typeof rawFlags === 'string'
      ? [
          ...new Set(
            rawFlags
              .split(';')
              .map((f) => f.trim())
              .filter(Boolean),
          ),
        ].sort()
      : [];
  const tier = record[params.contractTierField];
  return { seats, flags, contractTier: typeof tier === 'string' && tier !== '' ? tier : null };
}

/** A content hash of the watched entitlement fields: equal hashes mean equal desired roles. */
export function entitlementsHash(e: Entitlements): string {
  return createHash('sha256')
    .update(JSON.stringify([e.seats, e.flags, e.contractTier]))
    .digest('hex')
    .slice(0, 32);
}

/** Every role name the maps mention, with the param path where it first appears (for config errors). */
export function managedRoleNames(params: EntitlementsToRolesParams): Map<string, string> {
  const out = new Map<string, string>();
  const add = (group: 'contractTier' | 'featureFlags') => {
    for (const [key, roles] of Object.entries(params.roleMap[group])) {
      roles.forEach((role, i) => {
        if (!out.has(role)) out.set(role, `params.roleMap.${group}.${key}[${i}]`);
      });
    }
  };
  add('contractTier');
  add('featureFlags');
  return out;
}

/** Role names a seated user of these entitlements should hold. */
export function desiredRoleNames(e: Entitlements, params: EntitlementsToRolesParams): Set<string> {
  const out = new Set<string>();
  if (e.contractTier) for (const r of params.roleMap.contractTier[e.contractTier] ?? []) out.add(r);
  for (const flag of e.flags) for (const r of params.roleMap.featureFlags[flag] ?? []) out.add(r);
  return out;
}

/** Managed role names → ids; a name the tenant does not have is a configuration error naming its param path. */
export function resolveRoleIds(
  managed: Map<string, string>,
  tenantRoles: readonly Auth0Role[],
  tenant: string,
) {
  const byName = new Map(tenantRoles.map((r) => [r.name, r.id]));
  const ids = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, path] of managed) {
    const id = byName.get(name);
    if (id) ids.set(name, id);
    else missing.push(`${path} = "${name}"`);
  }
  if (missing.length > 0) {
    throw new ConcordError(
      `Auth0 tenant "${tenant}" has no role named ${missing.join(', ')}. Create the role in Auth0 ` +
        '(User Management → Roles) or correct the pipeline parameter; role names are case-sensitive.',
      { code: 'config', retryable: false },
    );
  }
  return ids;
}
