import type { EmulatorState } from './state.js';

/**
 * Auth0's brute-force protection counts failed logins per user (or attempted name) per IP; at the
 * threshold it blocks that pair and logs `limit_wc`. Returns the attempt count when this failure trips it.
 */
export function countFailedLogin(state: EmulatorState, ip: string, username: string): number | undefined {
  const key = `${ip}|${username.toLowerCase()}`;
  const count = (state.failedLogins.get(key) ?? 0) + 1;
  if (count >= state.settings.bruteForceThreshold) {
    state.failedLogins.delete(key); // the emulator lifts the block at once so activity can go on
    return count;
  }
  state.failedLogins.set(key, count);
  return undefined;
}

export function clearFailedLogins(state: EmulatorState, ip: string, username: string): void {
  state.failedLogins.delete(`${ip}|${username.toLowerCase()}`);
}
