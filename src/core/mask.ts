/**
 * Masking for logs and the audit trail: personal data is recognisable to the person who knows it and useless
 * to anyone else. `jane.doe@example.com` → `j***@e***.com`, `+14155550100` → `+1*******0100`.
 */
const PERSONAL_KEYS = new Set(
  [
    'email',
    'emails',
    'phone',
    'phone_number',
    'mobilephone',
    'name',
    'firstname',
    'lastname',
    'given_name',
    'family_name',
    'nickname',
    'user_name',
    'username',
    'ip',
    'last_ip',
    'picture',
    'street',
    'city',
    'postalcode',
    'address',
    'title',
    'description',
    'password',
  ].map((k) => k.toLowerCase()),
);
const SECRET_KEYS = /secret|password|token|authorization|assertion|private|api[_-]?key/i;
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}***@${host.slice(0, 1)}***${tld}`;
}

export function maskText(value: string): string {
  if (value.includes('@')) return value.replace(EMAIL_PATTERN, (m) => maskEmail(m));
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 7 && digits.length >= value.replace(/\s/g, '').length - 4) {
    return `${value.startsWith('+') ? '+' : ''}${digits.slice(0, value.startsWith('+') ? 1 : 0)}${'*'.repeat(Math.max(0, digits.length - 5))}${digits.slice(-4)}`;
  }
  if (value.length <= 1) return '*';
  return `${value.slice(0, 1)}***`;
}

/** A deep copy with personal values masked and secrets removed; emails inside any text are masked too. */
export function maskPersonalData(value: unknown, key = ''): unknown {
  if (key && SECRET_KEYS.test(key) && value !== null && typeof value !== 'object') return '[redacted]';
  if (typeof value === 'string') {
    if (key && PERSONAL_KEYS.has(key.toLowerCase())) return maskText(value);
    // Every audit row's summary and data pass here; most hold no address, and the scan costs more than the check.
    return value.includes('@') ? value.replace(EMAIL_PATTERN, (m) => maskEmail(m)) : value;
  }
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskPersonalData(v, k);
    return out;
  }
  return value;
}
