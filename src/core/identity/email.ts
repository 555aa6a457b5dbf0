/** Emails compare case-insensitively and without surrounding white space. */
export function normaliseEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim().toLowerCase();
  return trimmed.includes('@') ? trimmed : undefined;
}
