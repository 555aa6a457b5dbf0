/** Salesforce record ids: 15 case-sensitive characters plus a 3-character case-safe checksum. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** Appends the checksum that makes a 15-character id case-insensitively unique. */
export function to18(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return id15 + suffix;
}

/** The canonical 18-character form of a syntactically valid id, or undefined for a malformed one. */
export function normalizeId(id: string): string | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  const id18 = to18(id.slice(0, 15));
  return id.length === 15 || id18 === id ? id18 : undefined;
}

/** Makes ids `<prefix><pod><counter>` in a stable order, so seeded data sets are reproducible. */
export function createIdGenerator(pod = '8d') {
  let counter = 0;
  return {
    next(prefix: string): string {
      counter += 1;
      let n = counter;
      let body = '';
      while (n > 0) {
        body = BASE62[n % 62] + body;
        n = Math.floor(n / 62);
      }
      const id15 = `${prefix}${pod}${body.padStart(15 - prefix.length - pod.length, '0')}`;
      return to18(id15);
    },
    reset(): void {
      counter = 0;
    },
  };
}
export type IdGenerator = ReturnType<typeof createIdGenerator>;
