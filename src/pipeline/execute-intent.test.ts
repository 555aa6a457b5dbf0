import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcordError } from '../core/errors.js';
import type { Auth0Port, SalesforcePort } from '../core/ports.js';
import { executeIntent, resolveRefs } from './execute-intent.js';

test('@{ref} strings are replaced by earlier results, anywhere in an intent', () => {
  const results = new Map([['user', { id: 'auth0|1', created: true }]]);
  assert.deepEqual(resolveRefs({ userId: '@{user}', fields: { A: '@{user}', B: 'x@{user}' } }, results), {
    userId: 'auth0|1',
    fields: { A: 'auth0|1', B: 'x@{user}' },
  });
  assert.throws(() => resolveRefs('@{missing}', results), /before it ran/);
});

test('a 409 on user creation is retried (re-planning finds the user), other failures are not touched', async () => {
  const refuse = (error: ConcordError) =>
    ({ createUser: async () => Promise.reject(error) }) as unknown as Auth0Port;
  const intent = { kind: 'auth0.create_user', user: { connection: 'db', email: 'a@example.com' } } as const;
  const targets = (auth0: Auth0Port) => ({ auth0, salesforce: {} as SalesforcePort, org: 'o' });
  await assert.rejects(
    executeIntent(
      intent,
      targets(refuse(new ConcordError('The user already exists.', { code: 'conflict', retryable: false }))),
    ),
    (e: unknown) => e instanceof ConcordError && e.code === 'conflict' && e.retryable,
  );
  await assert.rejects(
    executeIntent(intent, targets(refuse(new ConcordError('bad', { code: 'invalid_request' })))),
    (e: unknown) => e instanceof ConcordError && e.code === 'invalid_request' && !e.retryable,
  );
});
