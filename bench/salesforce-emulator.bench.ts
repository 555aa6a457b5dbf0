/**
 * Salesforce emulator throughput over loopback HTTP with keep-alive: simple REST requests (GET by id, SOQL
 * by an indexed external id) and sObject Collections creates of 200 records. The emulator runs in a child
 * process so client and server each get a core, as when Concord's tests or sandbox drive it.
 * Targets (issue 3): ≥ 5,000 simple requests/s and ≥ 50 collection calls/s.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const SEEDED = 5_000;

const SERVER = `
import { createSalesforceEmulator } from ${JSON.stringify(fileURLToPath(new URL('../src/emulators/salesforce/index.ts', import.meta.url)))};
const emulator = createSalesforceEmulator({ dailyApiLimit: 1e9 });
const ids = [];
for (let i = 0; i < ${SEEDED}; i += 200) {
  ids.push(...emulator.admin.seed('Contact', Array.from({ length: 200 }, (_, j) => ({
    LastName: 'Bench ' + (i + j), Email: 'bench' + (i + j) + '@example.com', Auth0_User_Id__c: 'auth0|' + (i + j),
  }))));
}
const server = await emulator.listen(0);
process.stdout.write(JSON.stringify({ url: server.url, ids }) + '\\n');
`;

async function startServer(): Promise<{ url: string; ids: string[]; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  for await (const chunk of child.stdout!) {
    buffer += String(chunk);
    if (buffer.includes('\n')) break;
  }
  const { url, ids } = JSON.parse(buffer.split('\n')[0]!) as { url: string; ids: string[] };
  return { url, ids, stop: () => child.kill('SIGTERM') };
}

/**
 * A minimal keep-alive HTTP/1.1 client over raw sockets (the autocannon approach): one request in flight per
 * connection, responses framed by Content-Length or chunked encoding. fetch and node:http cost more CPU per
 * call than the emulator does, and on two cores the client would otherwise be what is measured.
 */
function openConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), noDelay: true });
  let buffer: Buffer = Buffer.alloc(0);
  let pending: { resolve(): void; reject(e: Error): void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const headEnd = buffer.indexOf('\r\n\r\n');
    if (headEnd < 0 || !pending) return;
    const head = buffer.subarray(0, headEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) end = headEnd + 4 + Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
      end = last < 0 ? Number.POSITIVE_INFINITY : last + 7;
    } else end = headEnd + 4;
    if (buffer.length < end) return;
    const body = buffer.subarray(headEnd + 4, end).toString();
    buffer = buffer.subarray(end);
    const done = pending;
    pending = undefined;
    if (status >= 200 && status < 300) done.resolve();
    else done.reject(new Error(`HTTP ${status}: ${body.slice(0, 200)}`));
  });
  socket.on('error', (e) => pending?.reject(e));
  return {
    send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<void> {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        let head = `${method} ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: keep-alive\r\n`;
        for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
        head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
        socket.write(head + body);
      });
    },
    close: () => socket.destroy(),
  };
}
type Conn = ReturnType<typeof openConnection>;

/** Runs `total` requests over `clients` keep-alive connections; returns requests per second. */
async function measure(
  url: string,
  total: number,
  clients: number,
  send: (conn: Conn, i: number) => Promise<void>,
): Promise<number> {
  const conns = Array.from({ length: clients }, () => openConnection(url));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    conns.map(async (conn) => {
      for (let i = next++; i < total; i = next++) await send(conn, i);
    }),
  );
  const rate = Math.round(total / ((performance.now() - started) / 1000));
  for (const c of conns) c.close();
  return rate;
}

export async function run(): Promise<{
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}> {
  const server = await startServer();
  try {
    const tokenResponse = await fetch(`${server.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'concord-sandbox',
        client_secret: 'sandbox-secret',
      }),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const headers = {
      authorization: `Bearer ${access_token}`,
      'content-type': 'application/json',
      'sforce-call-options': 'client=bench',
    };
    const api = '/services/data/v60.0';
    const getById = (conn: Conn, i: number) =>
      conn.send(
        'GET',
        `${api}/sobjects/Contact/${server.ids[i % server.ids.length]}?fields=Id,LastName,Email`,
        headers,
      );
    const soql = (conn: Conn, i: number) =>
      conn.send(
        'GET',
        `${api}/query?q=${encodeURIComponent(`SELECT Id, LastName FROM Contact WHERE Auth0_User_Id__c = 'auth0|${i % SEEDED}'`)}`,
        headers,
      );
    const collection = (conn: Conn, i: number) =>
      conn.send(
        'POST',
        `${api}/composite/sobjects`,
        headers,
        JSON.stringify({
          allOrNone: false,
          records: Array.from({ length: 200 }, (_, j) => ({
            attributes: { type: 'Lead' },
            LastName: `Load ${i}-${j}`,
            Company: 'Bench',
            Email: `load${i}-${j}@example.com`,
          })),
        }),
      );

    const u = server.url;
    await measure(u, 5_000, 8, getById); // warm-up (JIT)
    const getRate = await measure(u, 50_000, 16, getById);
    const soqlRate = await measure(u, 50_000, 16, soql);
    await measure(u, 20, 4, collection);
    const collectionRate = await measure(u, 400, 4, collection);
    return {
      name: 'salesforce-emulator',
      figures: {
        'GET /sobjects/Contact/{id} (req/s, 16 clients)': getRate,
        "SOQL WHERE Auth0_User_Id__c = '…' (req/s, 16 clients)": soqlRate,
        'POST /composite/sobjects × 200 Leads (calls/s, 4 clients)': collectionRate,
        'records created per second via collections': collectionRate * 200,
        'seeded Contacts': SEEDED,
      },
      notes: [
        `emulator in a child process, client in this one; a raw-socket keep-alive HTTP/1.1 client over 127.0.0.1 (one request in flight per connection); ${cpus().length} cores`,
        'targets: ≥ 5,000 simple requests/s, ≥ 50 collection calls of 200 records/s',
      ],
    };
  } finally {
    server.stop();
  }
}
