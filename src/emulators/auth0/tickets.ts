import { badRequest, notFound } from './api-error.js';
import { randomAlphanumeric } from './ids.js';
import type { EmulatorState } from './state.js';
import { findInConnection, getUserOrThrow } from './users.js';

export interface PasswordTicket {
  id: string;
  userId: string;
  resultUrl?: string;
  expiresAt: number;
  markEmailAsVerified: boolean;
}

export interface PasswordTicketInput {
  user_id?: string;
  email?: string;
  connection_id?: string;
  result_url?: string;
  ttl_sec?: number;
  mark_email_as_verified?: boolean;
}

/** An email the tenant sent; `link` is the password-change link it carried. */
export interface SentEmail {
  at: number;
  template: 'change_password';
  to: string;
  userId: string;
  clientId: string;
  connection: string;
  link: string;
}

const DEFAULT_TTL_SEC = 432_000; // Auth0's default: 5 days

/** `POST /api/v2/tickets/password-change`: a one-time link the user opens to set a password. */
export function createPasswordTicket(state: EmulatorState, input: PasswordTicketInput): { ticket: string } {
  const userId = input.user_id ?? findByEmail(state, input);
  getUserOrThrow(state, userId);
  const id = randomAlphanumeric(32);
  state.tickets.set(id, {
    id,
    userId,
    resultUrl: input.result_url,
    expiresAt: state.now() + (input.ttl_sec || DEFAULT_TTL_SEC) * 1000,
    markEmailAsVerified: input.mark_email_as_verified ?? false,
  });
  return { ticket: `https://${state.domain}/lo/reset?ticket=${id}#` };
}

function findByEmail(state: EmulatorState, input: PasswordTicketInput): string {
  if (!input.email || !input.connection_id)
    throw badRequest("Payload validation error: 'Missing required property: user_id'.");
  const connection = [...state.connectionIds].find(([, id]) => id === input.connection_id)?.[0];
  const user = connection ? findInConnection(state, input.email, connection) : undefined;
  if (!user) throw notFound('The user does not exist.', 'inexistent_user');
  return user.user_id;
}

/** Consumes a ticket given as its URL or its id; throws when unknown or expired. */
export function redeemPasswordTicket(state: EmulatorState, ticketOrUrl: string): PasswordTicket {
  const id = ticketOrUrl.match(/ticket=([^#&]+)/)?.[1] ?? ticketOrUrl;
  const ticket = state.tickets.get(id);
  if (!ticket || ticket.expiresAt <= state.now()) throw notFound('This ticket was already used or expired.');
  state.tickets.delete(id);
  return ticket;
}

/**
 * Authentication API `POST /dbconnections/change_password`: Auth0 emails the user of that database connection
 * its "Change Password" template with a one-time link (an invitation, when the template says so). Nothing is
 * sent when no such user exists, and the caller cannot tell. The link marks the email verified once used.
 */
export function sendChangePasswordEmail(
  state: EmulatorState,
  input: { email: string; connection: string; clientId: string },
): SentEmail | undefined {
  const user = findInConnection(state, input.email, input.connection);
  if (!user) return undefined;
  const { ticket: link } = createPasswordTicket(state, {
    user_id: user.user_id,
    mark_email_as_verified: true,
  });
  const sent: SentEmail = {
    at: state.now(),
    template: 'change_password',
    to: user.email ?? input.email,
    userId: user.user_id,
    clientId: input.clientId,
    connection: input.connection,
    link,
  };
  state.emails.push(sent);
  return sent;
}
