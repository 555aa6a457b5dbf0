import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SfApiError } from '../errors.js';
import { createRecord } from '../records.js';
import { createOrgState } from '../state.js';
import { runQuery } from './evaluate.js';
import { parseSoql } from './parser.js';

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SfApiError, String(error));
    return error.errorCode;
  }
  assert.fail('expected an error');
}

describe('SOQL parser', () => {
  test('parses fields, parent paths, conditions, order, limit and offset', () => {
    const q = parseSoql(
      "select Id, Account.Name FROM Contact WHERE (Email = 'a\\'b@x.com' OR NOT LastName LIKE 'Sm_th%') AND Logins_30d__c >= 3 AND Last_Login__c > 2026-01-01T00:00:00Z AND Id NOT IN ('003000000000001') ORDER BY LastName DESC NULLS FIRST, Id LIMIT 10 OFFSET 5",
    );
    assert.deepEqual(q.select, [
      { kind: 'field', path: ['Id'] },
      { kind: 'field', path: ['Account', 'Name'] },
    ]);
    assert.equal(q.from, 'Contact');
    assert.equal(q.limit, 10);
    assert.equal(q.offset, 5);
    assert.deepEqual(q.orderBy, [
      { path: ['LastName'], direction: 'DESC', nulls: 'FIRST' },
      { path: ['Id'], direction: 'ASC', nulls: 'FIRST' },
    ]);
    assert.equal(q.where?.kind, 'and');
    const text = JSON.stringify(q.where);
    assert.match(text, /"value":"a'b@x.com"/);
    assert.match(text, /"type":"datetime","value":"2026-01-01T00:00:00Z"/);
    assert.match(text, /"negated":true/);
  });

  test('parses COUNT() and child subqueries', () => {
    assert.deepEqual(parseSoql('SELECT COUNT() FROM Lead').select, [{ kind: 'count' }]);
    const q = parseSoql('SELECT Id, (SELECT LastName FROM Contacts) FROM Account');
    assert.equal(q.select[1]?.kind, 'subquery');
  });

  for (const bad of [
    'SELECT FROM Contact',
    'SELECT Id Contact',
    'SELECT Id FROM',
    "SELECT Id FROM Contact WHERE Email = 'unterminated",
    'SELECT Id FROM Contact WHERE',
    'SELECT Id FROM Contact LIMIT x',
    'SELECT Id FROM Contact GROUP BY Id',
    'SELECT MAX(Id) FROM Contact',
    'SELECT Id FROM Contact WHERE Email == 1',
    "SELECT Id FROM Contact WHERE Email IN 'a'",
    'SELECT Id FROM Contact;',
  ]) {
    test(`MALFORMED_QUERY: ${bad}`, () =>
      assert.equal(
        errorCode(() => parseSoql(bad)),
        'MALFORMED_QUERY',
      ));
  }
});

describe('SOQL evaluation', () => {
  const state = createOrgState('00D000000000001AAA', 100);
  const ctx = { userId: '005000000000001AAA', client: 'concord', now: Date.parse('2026-03-01T00:00:00Z') };
  const account = createRecord(state, 'Account', { Name: 'Acme' }, ctx).id;
  createRecord(
    state,
    'Contact',
    {
      LastName: 'Smith',
      Email: 'Ann@Example.com',
      AccountId: account,
      Logins_30d__c: 5,
      Last_Login__c: '2026-02-01T10:00:00Z',
    },
    ctx,
  );
  createRecord(state, 'Contact', { LastName: 'Smyth', Email: 'bob@example.com', Logins_30d__c: 1 }, ctx);
  createRecord(state, 'Contact', { LastName: "O'Brien", Email: null }, ctx);
  const run = (soql: string) =>
    runQuery(parseSoql(soql), { state, includeDeleted: false, apiBase: '/services/data/v60.0' });
  const names = (soql: string) => run(soql).records.map((r) => r['LastName']);

  test('string equality is case-insensitive', () => {
    assert.deepEqual(names("SELECT LastName FROM Contact WHERE Email = 'ann@example.COM'"), ['Smith']);
  });
  test('LIKE with % and _', () => {
    assert.deepEqual(names("SELECT LastName FROM Contact WHERE LastName LIKE 'sm_th' ORDER BY LastName"), [
      'Smith',
      'Smyth',
    ]);
    assert.deepEqual(names("SELECT LastName FROM Contact WHERE LastName LIKE 'o\\'%'"), ["O'Brien"]);
  });
  test('null, numbers, datetimes, IN, NOT IN, NOT, OR', () => {
    assert.deepEqual(names('SELECT LastName FROM Contact WHERE Email = null'), ["O'Brien"]);
    assert.deepEqual(names('SELECT LastName FROM Contact WHERE Logins_30d__c > 2'), ['Smith']);
    assert.deepEqual(names('SELECT LastName FROM Contact WHERE Last_Login__c >= 2026-02-01T00:00:00Z'), [
      'Smith',
    ]);
    assert.deepEqual(
      names("SELECT LastName FROM Contact WHERE LastName IN ('smith', 'SMYTH') ORDER BY LastName DESC"),
      ['Smyth', 'Smith'],
    );
    assert.deepEqual(names("SELECT LastName FROM Contact WHERE LastName NOT IN ('smith', 'smyth')"), [
      "O'Brien",
    ]);
    assert.deepEqual(
      names("SELECT LastName FROM Contact WHERE NOT (LastName = 'Smith' OR LastName = 'Smyth')"),
      ["O'Brien"],
    );
  });
  test('ORDER BY nulls, LIMIT, OFFSET and COUNT()', () => {
    assert.deepEqual(names('SELECT LastName FROM Contact ORDER BY Email NULLS LAST'), [
      'Smith',
      'Smyth',
      "O'Brien",
    ]);
    assert.deepEqual(names('SELECT LastName FROM Contact ORDER BY Email'), ["O'Brien", 'Smith', 'Smyth']);
    assert.deepEqual(names('SELECT LastName FROM Contact ORDER BY LastName LIMIT 1 OFFSET 1'), ['Smith']);
    assert.equal(run("SELECT COUNT() FROM Contact WHERE LastName LIKE 'S%'").totalSize, 2);
  });
  test('parent paths nest with attributes, null when empty', () => {
    const rows = run('SELECT Account.Name FROM Contact ORDER BY LastName');
    assert.deepEqual(rows.records[0]?.['Account'], null);
    const acme = rows.records.find((r) => r['Account'])?.['Account'] as Record<string, unknown>;
    assert.equal(acme['Name'], 'Acme');
    assert.equal((acme['attributes'] as { type: string }).type, 'Account');
  });
  test('INVALID_FIELD, INVALID_TYPE and literal type mismatches', () => {
    assert.equal(
      errorCode(() => run('SELECT Foo__c FROM Contact')),
      'INVALID_FIELD',
    );
    assert.equal(
      errorCode(() => run('SELECT Bogus.Name FROM Contact')),
      'INVALID_FIELD',
    );
    assert.equal(
      errorCode(() => run('SELECT Id FROM Nope__c')),
      'INVALID_TYPE',
    );
    assert.equal(
      errorCode(() => run("SELECT Id FROM Contact WHERE Logins_30d__c = '3'")),
      'INVALID_FIELD',
    );
    assert.equal(
      errorCode(() => run("SELECT Id FROM Contact WHERE Id = 'nope'")),
      'INVALID_QUERY_FILTER_OPERATOR',
    );
  });
});
