/**
 * Auth0 emulator throughput: can it generate and deliver log events fast enough (≥ 20,000/s) that load
 * tests measure Concord and not the emulator? Also Management API GET /users/{id} requests/s.
 * The webhook receiver and the HTTP load client run in worker threads so they do not share the
 * emulator's event loop; the receiver only counts records.
 */
import { Worker } from 'node:worker_threads';
import { createAuth0Emulator } from '../src/emulators/auth0/index.js';

const RECEIVER = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
let records = 0, requests = 0;
// counts wrappers without parsing: each JSONARRAY item starts with {"log_id": (inside data it follows a comma)
const marker = Buffer.from('{"log_id":');
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    for (let at = body.indexOf(marker); at !== -1; at = body.indexOf(marker, at + marker.length)) records++;
    requests++;
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => { if (m === 'count') parentPort.postMessage({ records, requests }); if (m === 'close') server.close(() => process.exit(0)); });
`;

const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, token, concurrency, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let done = 0, failed = 0;
const end = Date.now() + durationMs;
const get = () => new Promise((resolve, reject) => {
  http.get(url, { agent, headers: { authorization: 'Bearer ' + token } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  }).on('error', reject);
});
async function loop() {
  while (Date.now() < end) {
    const status = await get();
    if (status === 200) done++; else failed++;
  }
}
Promise.all(Array.from({ length: concurrency }, loop)).then(() => parentPort.postMessage({ done, failed }));
`;

function ask<T>(worker: Worker, message?: string): Promise<T> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    if (message) worker.postMessage(message);
  });
}

const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);

async function deliveryRun(activities: number, concurrency: number) {
  const receiver = new Worker(RECEIVER, { eval: true });
  const { port } = await ask<{ port: number }>(receiver);
  const emulator = createAuth0Emulator({ tenant: 'bench', rateLimit: false, logStreamIntervalMs: 1_000_000 });
  emulator.admin.addLogStream({
    url: `http://127.0.0.1:${port}/hooks/auth0/bench/logs`,
    format: 'JSONARRAY',
    batchSize: 100,
    concurrency,
  });
  const started = performance.now();
  const generated = emulator.admin.generate(activities, { seed: 2026 });
  const generatedAt = performance.now();
  await emulator.admin.flushLogStreams();
  const finished = performance.now();
  const counted = await ask<{ records: number; requests: number }>(receiver, 'count');
  const status = emulator.admin.streamStatus()[0]!;
  await emulator.close();
  receiver.postMessage('close');
  return {
    records: generated.records,
    received: counted.records,
    requests: counted.requests,
    failed: status.dropped,
    generatePerSecond: perSecond(generated.records, generatedAt - started),
    deliverPerSecond: perSecond(counted.records, finished - generatedAt),
    endToEndPerSecond: perSecond(counted.records, finished - started),
  };
}

async function getUserRun(concurrency: number, durationMs: number) {
  const emulator = createAuth0Emulator({ tenant: 'bench', rateLimit: false });
  const server = await emulator.listen(0, '127.0.0.1');
  const user = emulator.admin.seedUser({ email: 'bench@example.com', given_name: 'Bench' });
  const tokenResponse = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: 'concord-sandbox',
      client_secret: 'sandbox-secret',
      audience: `https://${emulator.domain}/api/v2/`,
    }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const url = `${server.url}/api/v2/users/${encodeURIComponent(user.user_id)}`;
  const load = new Worker(LOAD, {
    eval: true,
    workerData: { url, token: access_token, concurrency, durationMs },
  });
  const result = await ask<{ done: number; failed: number }>(load);
  await server.close();
  return { ...result, perSecond: perSecond(result.done, durationMs) };
}

export async function run() {
  const activities = 60_000;
  const figures: Record<string, number | string> = {};
  for (const concurrency of [1, 2, 4]) {
    const r = await deliveryRun(activities, concurrency);
    const key = `log stream (JSONARRAY ×100, ${concurrency} in flight)`;
    figures[`${key}: records`] = r.records;
    figures[`${key}: received by webhook`] = r.received;
    figures[`${key}: generate records/s`] = r.generatePerSecond;
    figures[`${key}: deliver records/s`] = r.deliverPerSecond;
    figures[`${key}: generate+deliver records/s`] = r.endToEndPerSecond;
  }
  const api = await getUserRun(32, 3_000);
  figures['Management API GET /users/{id} req/s (32 in flight)'] = api.perSecond;
  figures['Management API GET /users/{id} non-2xx'] = api.failed;
  return {
    name: 'auth0-emulator',
    figures,
    notes: [
      `${activities} simulator activities (seed 2026, default mix) generated synchronously, then delivered from the backlog`,
      'receiver and HTTP load client run in worker threads of the same process; rate limits off',
    ],
  };
}
