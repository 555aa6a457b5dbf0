import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseCloudEvent, parseCloudEventBody } from './cloud-events.js';

const cloudEvent = (type: string) =>
  JSON.stringify({
    id: 'evt_1',
    source: 'urn:auth0:acme:users',
    specversion: '1.0',
    type,
    time: '2026-03-01T10:00:00.000Z',
    data: { object: { user_id: 'auth0|42', updated_at: '2026-03-01T10:00:00.000Z' } },
  });

test('user event types are read in both spellings Auth0 documents, bare and com.auth0.-prefixed', () => {
  for (const [type, kind] of [
    ['user.created', 'user.signed_up'],
    ['com.auth0.user.created', 'user.signed_up'],
    ['user.updated', 'user.profile_changed'],
    ['com.auth0.user.updated', 'user.profile_changed'],
    ['com.auth0.user.deleted', 'user.deleted'],
    ['com.auth0.organization.created', 'unknown'],
  ] as const) {
    const [parsed] = parseCloudEventBody(cloudEvent(type));
    const event = normaliseCloudEvent('acme', parsed!);
    assert.equal(event.kind, kind, type);
    assert.equal(event.sourceType, type, 'the type as Auth0 sent it is kept');
    assert.equal(event.subject, 'user:auth0|42');
  }
});
