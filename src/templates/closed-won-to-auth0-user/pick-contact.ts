import type { ClosedWonToAuth0UserParams } from './params.js';
import type { WonOpportunity } from './read-opportunity.js';

export type ContactChoice = { contactId: string; why: string } | { contactId?: undefined; why: string };

/**
 * The person a won Opportunity provisions: the primary contact role, then the configured fallbacks in
 * order (the only contact role; `Opportunity.ContactId`), else nobody, with the reason.
 */
export function pickContact(
  opportunity: WonOpportunity,
  fallbacks: ClosedWonToAuth0UserParams['contactFallbacks'],
): ContactChoice {
  const roles = opportunity.contactRoles;
  const primary = roles.filter((r) => r.isPrimary);
  if (primary.length >= 1) return { contactId: primary[0]!.contactId, why: 'primary contact role' };
  for (const fallback of fallbacks) {
    if (fallback === 'only_contact_role' && roles.length === 1) {
      return { contactId: roles[0]!.contactId, why: 'its only contact role (none is primary)' };
    }
    if (fallback === 'opportunity_contact' && opportunity.contactId) {
      return { contactId: opportunity.contactId, why: 'Opportunity.ContactId (no primary contact role)' };
    }
  }
  const tried = ['primary contact role', ...fallbacks].join(', ');
  return {
    why: `Opportunity ${opportunity.id} has ${roles.length} contact role(s), none primary, and no usable fallback (tried: ${tried})`,
  };
}
