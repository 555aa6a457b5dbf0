import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** E.164 form of a phone number (`+14155550100`), or undefined if it cannot be read as one. */
export function toE164(raw: string | undefined | null, defaultCountry?: string): string | undefined {
  if (!raw || typeof raw !== 'string') return undefined;
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode | undefined);
  if (!parsed?.isPossible()) return undefined;
  return parsed.number;
}

/**
 * The ways a number is commonly stored in a CRM text field. Salesforce compares phone text literally in
 * SOQL, so lookups ask for every common spelling and then compare the E.164 forms of what comes back.
 */
export function phoneSpellings(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [e164];
  const national = parsed.formatNational(); // (415) 555-0100
  const international = parsed.formatInternational(); // +1 415 555 0100
  const digits = parsed.nationalNumber; // 4155550100
  const spellings = new Set<string>([
    e164,
    national,
    international,
    digits,
    `${parsed.countryCallingCode}${digits}`,
    international.replace(/ /g, '-'),
    international.replace(/ /g, '.'),
    national.replace(/[()]/g, '').replace(/ /g, '-'),
    national.replace(/[()]/g, '').replace(/[ -]/g, '.'),
    `+${parsed.countryCallingCode} ${national}`,
  ]);
  if (digits.length === 10) {
    spellings.add(`${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`);
    spellings.add(`${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}`);
    spellings.add(`${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`);
  }
  return [...spellings];
}
