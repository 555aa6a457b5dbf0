import { readFileSync } from 'node:fs';
import type { SalesforceOrgConfig } from '../config/index.js';
import type { SalesforceAuth } from '../connectors/salesforce/index.js';

/** The connector's auth settings for an org of the config (a JWT key file is read here, once). */
export function salesforceAuthFromConfig(org: SalesforceOrgConfig): SalesforceAuth {
  if (org.auth.flow === 'client_credentials') return org.auth;
  return {
    flow: 'jwt_bearer',
    clientId: org.auth.clientId,
    username: org.auth.username,
    audience: org.auth.audience,
    privateKeyPem: org.auth.privateKey ?? readFileSync(org.auth.privateKeyPath!, 'utf8'),
  };
}
