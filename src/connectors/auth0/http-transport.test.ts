/**
 * The Management API's default transport against a real loopback HTTP server: what it sends, what it hands
 * back, and how it fails (a held answer, a refused connection), as the client's error translation sees it.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { errorFromNetwork } from './errors.js';
import { nodeTransport } from './http-transport.js';

const send = nodeTransport();

describe('nodeTransport', () => {
  let server: Server;
  let base = '';
  const seen: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const held: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/hold') return void held.push(res); // never answered
        res.setHeader('x-ratelimit-remaining', '41');
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echo: body, path: req.url }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('sends the method, headers and body; returns the status, the body text and case-blind headers', async () => {
    const answer = await send({
      method: 'PATCH',
      url: new URL(`${base}/api/v2/users/auth0%7C1?fields=email`),
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zoë' }),
      timeoutMs: 5_000,
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.text), {
      echo: '{"name":"Zoë"}',
      path: '/api/v2/users/auth0%7C1?fields=email',
    });
    assert.equal(answer.headers.get('X-RateLimit-Remaining'), '41');
    assert.equal(answer.headers.get('set-cookie'), 'a=1, b=2');
    assert.equal(answer.headers.has('retry-after'), false);
    const request = seen.at(-1)!;
    assert.equal(request.method, 'PATCH');
    assert.equal(request.headers.authorization, 'Bearer t');
    assert.equal(request.headers['content-length'], String(Buffer.byteLength('{"name":"Zoë"}')));
  });

  test('an error status is an answer, not a failure', async () => {
    const answer = await send({
      method: 'GET',
      url: new URL(`${base}/missing`),
      headers: {},
      timeoutMs: 5_000,
    });
    assert.equal(answer.status, 404);
    assert.equal(JSON.parse(answer.text).path, '/missing');
  });

  test('an answer held past the deadline fails as a timeout, which the client reports as such', async () => {
    const failure = await failureOf(new URL(`${base}/hold`), 150);
    assert.ok(failure instanceof Error);
    assert.equal(failure.name, 'TimeoutError');
    const translated = errorFromNetwork(failure, 'GET /api/v2/users/{id}', 150);
    assert.equal(translated.code, 'unavailable');
    assert.equal(translated.retryable, true);
    assert.match(translated.message, /no answer within 150 ms/);
  });

  test('a refused connection fails, and the client reports the network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await failureOf(new URL(`http://127.0.0.1:${port}/`), 5_000);
    assert.ok(failure instanceof Error);
    const translated = errorFromNetwork(failure, 'GET /api/v2/users/{id}', 5_000);
    assert.equal(translated.code, 'unavailable');
    assert.match(translated.message, /ECONNREFUSED/);
  });
});

/** What a GET through the transport rejects with (undefined if it answered). */
function failureOf(url: URL, timeoutMs: number): Promise<unknown> {
  return send({ method: 'GET', url, headers: {}, timeoutMs }).then(
    () => undefined,
    (error: unknown) => error,
  );
}
