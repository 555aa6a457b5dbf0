import { jwtVerify, SignJWT } from 'jose';
import { newJti } from './ids.js';
import type { EmulatorState } from './state.js';

export const TOKEN_LIFETIME_SECONDS = 86_400;

export interface AccessTokenClaims {
  clientId: string;
  scopes: string[];
  jti: string;
  exp: number;
}

/** Mints an HS256 Management API token like Auth0's M2M tokens (`sub` = `<client>@clients`). */
export async function mintAccessToken(
  state: EmulatorState,
  input: { clientId: string; audience: string; scopes: string[] },
): Promise<string> {
  const iat = Math.floor(state.now() / 1000);
  return new SignJWT({ scope: input.scopes.join(' '), gty: 'client-credentials', azp: input.clientId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${state.domain}/`)
    .setSubject(`${input.clientId}@clients`)
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_SECONDS)
    .setJti(newJti())
    .sign(state.signingSecret);
}

/**
 * Verifies a bearer token against the emulator's clock. Verified tokens are cached (the hot path of
 * benchmarks sends the same token thousands of times); expiry is re-checked on every call.
 */
export function createTokenVerifier(state: EmulatorState) {
  const cache = new Map<string, AccessTokenClaims>();
  return async function verify(token: string): Promise<AccessTokenClaims | 'expired' | 'invalid'> {
    let claims = cache.get(token);
    if (!claims) {
      try {
        const { payload } = await jwtVerify(token, state.signingSecret, {
          issuer: `https://${state.domain}/`,
          currentDate: new Date(state.now()),
          clockTolerance: TOKEN_LIFETIME_SECONDS * 365, // expiry is checked below, against the emulator clock
        });
        claims = {
          clientId: String(payload.azp ?? ''),
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
          jti: String(payload.jti ?? ''),
          exp: payload.exp ?? 0,
        };
      } catch {
        return 'invalid';
      }
      if (cache.size > 1000) cache.clear();
      cache.set(token, claims);
    }
    return claims.exp * 1000 <= state.now() ? 'expired' : claims;
  };
}
