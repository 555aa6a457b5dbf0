import { randomFillSync } from 'node:crypto';

/** Log ids are `900` + `yyyyMMddHHmmss` (UTC) + a 39-digit counter: 56 digits, comparable as strings. */
export const LOG_ID_LENGTH = 56;
const COUNTER_DIGITS = LOG_ID_LENGTH - 3 - 14;

/**
 * Returns a generator of strictly increasing log ids. The timestamp part never goes backwards even when the
 * clock does (a pinned or rewound test clock), so string order always equals append order.
 */
export function createLogIdGenerator(): (nowMs: number) => string {
  let counter = 0; // a number is exact up to 2^53: far more records than any emulator run holds
  let lastStamp = '';
  let lastSecond = Number.NaN;
  return (nowMs) => {
    const second = Math.floor(nowMs / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      const stamp = utcStamp(nowMs);
      if (stamp > lastStamp) lastStamp = stamp;
    }
    counter += 1;
    return `900${lastStamp}${counter.toString().padStart(COUNTER_DIGITS, '0')}`;
  };
}

function utcStamp(ms: number): string {
  // 2026-01-01T00:00:00.000Z → 20260101000000
  return new Date(ms).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** Random bytes drawn from a pool refilled 64 KiB at a time: ids are minted per record on the hot path. */
const pool = Buffer.alloc(65_536);
let poolOffset = pool.length;
function randomByte(): number {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

const HEX = '0123456789abcdef';

export function randomHex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[randomByte() & 15];
  return out;
}

export function randomDigits(length: number): string {
  let out = String(1 + (randomByte() % 9));
  while (out.length < length) out += String(randomByte() % 10);
  return out;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(length: number): string {
  let out = '';
  // 62 symbols: rejecting bytes ≥ 248 keeps the distribution uniform
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHANUMERIC[byte % 62];
  }
  return out;
}

/** `auth0|` ids carry 24 hex digits, like MongoDB object ids. */
export const newDatabaseUserId = () => randomHex(24);
/** Google ids are 21 digits; GitHub's are shorter numbers. */
export const newSocialUserId = (provider: string) => randomDigits(provider === 'github' ? 8 : 21);
export const newRoleId = () => `rol_${randomAlphanumeric(16)}`;
export const newConnectionId = () => `con_${randomAlphanumeric(16)}`;
export const newSessionId = () => randomAlphanumeric(32);
export const newJti = () => randomHex(32);
