import { ConcordError } from '../../core/errors.js';
import type { Auth0Role } from '../../core/ports.js';
import type { ClosedWonToAuth0UserParams } from './params.js';
import type { LineItem } from './read-opportunity.js';

/** A role name wanted by the tier, with the parameter path that asked for it (for config errors). */
export interface WantedRole {
  name: string;
  path: string;
}

/** Role names granted by the Opportunity's products: every rule that matches any line item. */
export function rolesFromLineItems(
  items: readonly LineItem[],
  tiers: ClosedWonToAuth0UserParams['productTiers'],
): { roles: WantedRole[]; tier: string } {
  const roles: WantedRole[] = [];
  const matched: string[] = [];
  tiers.forEach((rule, i) => {
    const hit = items.some(
      (item) =>
        (rule.match.productCode === undefined || rule.match.productCode === item.productCode) &&
        (rule.match.family === undefined || rule.match.family === item.family),
    );
    if (!hit) return;
    matched.push(`productTiers[${i}]`);
    for (const [j, name] of rule.roles.entries()) {
      roles.push({ name, path: `params.productTiers[${i}].roles[${j}]` });
    }
  });
  return { roles, tier: matched.length > 0 ? matched.join(', ') : 'no product rule matched' };
}

/** Role names granted by the Account's tier field value. */
export function rolesFromAccountTier(
  value: unknown,
  tierRoles: ClosedWonToAuth0UserParams['tierRoles'],
): { roles: WantedRole[]; tier: string } {
  const tier = typeof value === 'string' && value !== '' ? value : undefined;
  if (!tier) return { roles: [], tier: 'the Account has no tier value' };
  const names = Object.hasOwn(tierRoles, tier) ? tierRoles[tier]! : undefined;
  if (!names) return { roles: [], tier: `tier "${tier}" has no entry in params.tierRoles` };
  return {
    roles: names.map((name, j) => ({ name, path: `params.tierRoles.${tier}[${j}]` })),
    tier: `tier "${tier}"`,
  };
}

/** Role names → ids of the tenant; an unknown name is a configuration error naming its parameter path. */
export function roleIds(wanted: readonly WantedRole[], tenantRoles: readonly Auth0Role[], tenant: string) {
  const byName = new Map(tenantRoles.map((r) => [r.name, r.id]));
  const ids = new Set<string>();
  for (const role of wanted) {
    const id = byName.get(role.name);
    if (!id) {
      throw new ConcordError(
        `${role.path} names the role "${role.name}", which Auth0 tenant "${tenant}" does not have. ` +
          'Create the role in Auth0 or correct the pipeline parameter.',
        { code: 'config', retryable: false },
      );
    }
    ids.add(id);
  }
  return [...ids];
}
