import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { configJsonSchema, parseConfigText } from './load.js';

const valid = `
store: { driver: sqlite, path: /tmp/x.db }
auth0:
  acme:
    domain: acme.eu.auth0.com
    clientId: abc
    clientSecret: \${AUTH0_SECRET}
    logStream: { authorization: "Bearer \${STREAM_TOKEN:-0123456789abcdef0123}" }
salesforce:
  prod:
    loginUrl: https://acme.my.salesforce.com
    auth: { flow: client_credentials, clientId: cid, clientSecret: csecret }
pipelines:
  - { name: signups, auth0: acme, salesforce: prod, template: signup-to-lead, params: { object: Contact } }
`;

const problems = (text: string, env: Record<string, string> = { AUTH0_SECRET: 's' }) => {
  try {
    parseConfigText(text, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.length > 0 ? error.issues : [{ path: '', message: error.message }];
  }
  assert.fail('expected a ConfigError');
};

test('a valid file: env interpolation, defaults, template params parsed', () => {
  const { config, pipelines } = parseConfigText(valid, { AUTH0_SECRET: 'from-env' });
  assert.equal(config.auth0['acme']?.clientSecret, 'from-env');
  assert.equal(config.auth0['acme']?.logStream.authorization, 'Bearer 0123456789abcdef0123');
  assert.equal(config.salesforce['prod']?.apiVersion, '60.0');
  assert.equal(config.server.port, 8080);
  assert.deepEqual(pipelines[0]?.params, {
    object: 'Contact',
    externalIdField: 'Auth0_User_Id__c',
    leadSource: 'Auth0 Signup',
    fields: {},
    requiredDefaults: { LastName: '[not provided]', Company: '[not provided]' },
    matchBy: ['email', 'phone'],
    emailMatch: 'any',
    defaultCountry: 'US',
  });
});

test('a missing environment variable names the path and the variable', () => {
  const [issue] = problems(valid, {});
  assert.equal(issue?.path, 'auth0.acme.clientSecret');
  assert.match(issue?.message ?? '', /AUTH0_SECRET/);
});

test('errors name each bad path and say what to do', () => {
  const broken = valid
    .replace(
      'template: signup-to-lead, params: { object: Contact }',
      'template: signup-to-lead, params: { object: Opportunity, colour: red }',
    )
    .replace('salesforce: prod,', 'salesforce: staging,')
    .replace('https://acme.my.salesforce.com', 'acme.my.salesforce.com')
    .replace('flow: client_credentials', 'flow: password');
  const issues = problems(broken);
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes('pipelines[0].salesforce'), paths.join());
  assert.ok(paths.includes('pipelines[0].params.object'), paths.join());
  assert.ok(paths.includes('salesforce.prod.loginUrl'), paths.join());
  assert.ok(paths.includes('salesforce.prod.auth.flow'), paths.join());
  assert.match(
    issues.find((i) => i.path === 'pipelines[0].salesforce')!.message,
    /no Salesforce org "staging".*known: prod/,
  );
  assert.ok(
    issues.some((i) => i.path.startsWith('pipelines[0].params') && /colour/.test(i.message)),
    JSON.stringify(issues),
  );
});

test('invalid YAML and short secrets are reported clearly', () => {
  assert.match(problems('auth0: [unclosed')[0]!.message, /not valid YAML at line 1/);
  const [issue] = problems(valid.replace('"Bearer ${STREAM_TOKEN:-0123456789abcdef0123}"', 'short'));
  assert.equal(issue?.path, 'auth0.acme.logStream.authorization');
});

test('the JSON Schema describes the file', () => {
  const schema = configJsonSchema() as { properties: Record<string, unknown> };
  assert.ok(schema.properties['pipelines']);
  assert.ok(schema.properties['salesforce']);
});
