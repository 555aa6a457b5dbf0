/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine, which is
 * what makes simulated activity reproducible. Not for anything secret.
 */
export function createPrng(seed: number | string) {
  let a = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    /** 0 ≤ result < n. */
    int,
    chance: (p: number) => next() < p,
    pick<T>(items: readonly T[]): T {
      return items[int(items.length)]!;
    },
    hex(length: number) {
      let out = '';
      while (out.length < length) out += int(16).toString(16);
      return out;
    },
    digits(length: number) {
      let out = String(1 + int(9));
      while (out.length < length) out += String(int(10));
      return out;
    },
  };
}

export type Prng = ReturnType<typeof createPrng>;

/** FNV-1a, so string seeds work too. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
