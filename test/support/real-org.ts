/**
 * A real Salesforce org for the contract suites, when `CONCORD_TEST_SF_LOGIN_URL` (and the client id and secret)
 * are set; cases that need the emulator's admin powers skip with this reason then.
 */
export const REAL_ORG = process.env['CONCORD_TEST_SF_LOGIN_URL']
  ? {
      loginUrl: process.env['CONCORD_TEST_SF_LOGIN_URL'],
      clientId: process.env['CONCORD_TEST_SF_CLIENT_ID'] ?? '',
      clientSecret: process.env['CONCORD_TEST_SF_CLIENT_SECRET'] ?? '',
    }
  : undefined;

export const EMULATOR_ONLY = REAL_ORG
  ? 'needs the emulator admin API (seeding, faults, rules, clock, counters); skipped against the real org in CONCORD_TEST_SF_LOGIN_URL'
  : false;
