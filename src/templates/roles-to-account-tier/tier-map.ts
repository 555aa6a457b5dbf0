import type { RolesToAccountTierParams } from './params.js';

export interface TierDecision {
  /** Index in `params.tiers` (0 = highest), or `undefined` when no role maps. */
  rank: number | undefined;
  tier: string | undefined;
  /** Role names that map to no tier (ignored; reported by count only). */
  unmapped: string[];
}

/** The highest tier any of `roleNames` maps to. Unknown roles are ignored, never an error. */
export function tierOf(roleNames: readonly string[], tiers: RolesToAccountTierParams['tiers']): TierDecision {
  const held = new Set(roleNames.map((r) => r.toLowerCase()));
  const mapped = new Set<string>();
  let rank: number | undefined;
  tiers.forEach((row, index) => {
    for (const role of row.roles) {
      if (!held.has(role.toLowerCase())) continue;
      mapped.add(role.toLowerCase());
      if (rank === undefined) rank = index;
    }
  });
  return {
    rank,
    tier: rank === undefined ? undefined : tiers[rank]?.tier,
    unmapped: roleNames.filter((r) => !mapped.has(r.toLowerCase())),
  };
}

/** The better of two decisions (lower rank wins; a decision with a tier beats one without). */
export function higher(a: TierDecision, b: TierDecision): TierDecision {
  if (a.rank === undefined) return b;
  if (b.rank === undefined) return a;
  return b.rank < a.rank ? b : a;
}
