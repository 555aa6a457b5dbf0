import type { Auth0Emulator } from '../emulators/auth0/index.js';
import type { SalesforceEmulator } from '../emulators/salesforce/index.js';

/** A little data so that the first signups show matching at work, not only creation. */
export function seedSandbox(salesforce: SalesforceEmulator, _auth0: Auth0Emulator) {
  const [accountId] = salesforce.admin.seed('Account', [{ Name: 'Initech' }]);
  salesforce.admin.seed('Contact', [
    { FirstName: 'Ada', LastName: 'Lovelace', Email: 'Ada.Lovelace@Initech.example', AccountId: accountId },
    {
      FirstName: 'Grace',
      LastName: 'Hopper',
      Email: 'grace@initech.example',
      Phone: '(415) 555-0142',
      AccountId: accountId,
    },
  ]);
  salesforce.admin.seed('Lead', [
    { FirstName: 'Alan', LastName: 'Turing', Company: 'Bletchley', Email: 'alan@bletchley.example' },
  ]);
}

/** The scripted signups the sandbox plays, then random ones every few seconds. */
export const SCRIPTED_SIGNUPS = [
  {
    email: 'marie.curie@radium.example',
    given_name: 'Marie',
    family_name: 'Curie',
    user_metadata: { company: 'Radium Institute' },
  },
  { email: 'ada.lovelace@initech.example', given_name: 'Ada', family_name: 'Lovelace' },
  {
    email: 'g.hopper@navy.example',
    given_name: 'Grace',
    family_name: 'Hopper',
    phone_number: '+14155550142',
  },
];

const FIRST = [
  'Katherine',
  'Dorothy',
  'Mary',
  'Hedy',
  'Radia',
  'Barbara',
  'Frances',
  'Edsger',
  'Donald',
  'Linus',
];
const LAST = [
  'Johnson',
  'Vaughan',
  'Jackson',
  'Lamarr',
  'Perlman',
  'Liskov',
  'Allen',
  'Dijkstra',
  'Knuth',
  'Torvalds',
];
const COMPANIES = ['Globex', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka', 'Soylent'];

export function randomSignup(n: number) {
  const first = FIRST[n % FIRST.length]!;
  const last = LAST[(n * 7) % LAST.length]!;
  const company = COMPANIES[(n * 3) % COMPANIES.length]!;
  return {
    email: `${first}.${last}.${n}@${company}.example`.toLowerCase(),
    given_name: first,
    family_name: last,
    user_metadata: { company },
  };
}
