import type { EmulatorState } from '../state.js';
import type { Prng } from './prng.js';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Dorothy',
  'Hedy',
  'Radia',
  'Barbara',
  'Frances',
  'Edsger',
  'Donald',
  'Linus',
  'Margaret',
  'Tim',
  'Barbara',
  'John',
  'Sophie',
  'Ken',
  'Shafi',
  'Leslie',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Vaughan',
  'Lamarr',
  'Perlman',
  'Liskov',
  'Allen',
  'Dijkstra',
  'Knuth',
  'Torvalds',
  'Hamilton',
  'Berners-Lee',
  'McCarthy',
  'Wilson',
  'Thompson',
  'Goldwasser',
  'Lamport',
];
const COMPANIES = [
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'vandelay',
  'stark',
  'wayne',
  'wonka',
  'soylent',
  'tyrell',
];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];

/**
 * The people the simulator acts for: the tenant's users when it started plus those it signs up, in a
 * dense array so a random pick is O(1). Users deleted by others are dropped lazily.
 */
export function createPopulation(state: EmulatorState) {
  const ids: string[] = [...state.users.keys()];
  let created = 0;
  return {
    add(id: string) {
      ids.push(id);
    },
    /** A random live user, or undefined when there is none. */
    pick(rng: Prng, accept: (id: string) => boolean = () => true): string | undefined {
      for (let tries = 0; ids.length > 0 && tries < 8; tries++) {
        const index = rng.int(ids.length);
        const id = ids[index]!;
        if (!state.users.has(id)) {
          ids[index] = ids[ids.length - 1]!;
          ids.pop();
          continue;
        }
        if (accept(id)) return id;
      }
      return undefined;
    },
    /** A new person: name, a unique email at a company domain, and profile metadata. */
    person(rng: Prng) {
      created += 1;
      const given_name = rng.pick(FIRST);
      const family_name = rng.pick(LAST);
      const company = rng.pick(COMPANIES);
      const local = `${given_name}.${family_name}`.toLowerCase().replace(/[^a-z.]/g, '');
      return {
        given_name,
        family_name,
        email: `${local}.${created}@${company}.example`,
        user_metadata: { company: company[0]!.toUpperCase() + company.slice(1), plan: rng.pick(PLANS) },
      };
    },
    reset() {
      ids.length = 0;
      created = 0;
    },
  };
}

export type Population = ReturnType<typeof createPopulation>;
export { PLANS };
