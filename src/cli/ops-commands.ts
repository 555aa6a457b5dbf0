import type { Command } from 'commander';
import type { Resolution } from '../core/template.js';
import {
  getJob,
  jobCounts,
  keepsEverything,
  listAudit,
  listIntents,
  listJobs,
  listLinks,
  listQuarantine,
  OUTCOMES,
  type Outcome,
  pruneExpired,
  replayJob,
  resolveQuarantine,
} from '../store/index.js';
import { createLogger, createService } from '../server/service.js';
import { CONFIG_OPTION, withStore } from './shared.js';
import { fetchBudgets, formatBudgets, serviceUrlFromConfig } from './status-budgets.js';

const print = (line = '') => process.stdout.write(`${line}\n`);

export function registerOpsCommands(program: Command) {
  program
    .command('status')
    .description('jobs by state and outcome; API budget use, asked of the running service')
    .option(...CONFIG_OPTION)
    .option(
      '--url <base>',
      'the running service, e.g. http://concord.internal:8080 (default: from the config)',
    )
    .action((opts: { config: string; url?: string }) =>
      withStore(opts.config, async (db, loaded) => {
        const counts = await jobCounts(db);
        if (counts.length === 0) print('no events yet');
        for (const c of counts) print(`${c.state.padEnd(8)} ${(c.outcome ?? '-').padEnd(14)} ${c.count}`);
        const { server } = loaded.config;
        const answer = await fetchBudgets({
          url: opts.url ?? serviceUrlFromConfig(server),
          adminToken: server.adminToken,
        });
        print();
        if (!answer.ok) {
          print(answer.line);
          return;
        }
        print(`budgets (from ${answer.url}):`);
        for (const line of formatBudgets(answer.budgets, Date.now())) print(`  ${line}`);
      }),
    );

  program
    .command('prune')
    .description(
      'delete now what the retention policy no longer keeps (a running service also does, every retention.intervalMinutes)',
    )
    .option(...CONFIG_OPTION)
    .action((opts: { config: string }) =>
      withStore(opts.config, async (db, loaded) => {
        const { days, auditDays } = loaded.config.retention;
        if (keepsEverything({ days, auditDays })) {
          print('retention.days and retention.auditDays are null: everything is kept, nothing pruned');
          return;
        }
        const pruned = await pruneExpired(db, Date.now(), { days, auditDays });
        print(
          days === null
            ? 'inbox rows and jobs: kept (retention.days is null)'
            : `inbox rows received more than ${days} days ago, all their jobs done: ${pruned.inbox} pruned, ` +
                `with ${pruned.jobs} jobs, ${pruned.intents} intents and ${pruned.quarantine} resolved quarantine items`,
        );
        print(
          auditDays === null
            ? 'audit entries: kept (retention.auditDays is null)'
            : `audit entries older than ${auditDays} days: ${pruned.audit} pruned`,
        );
      }),
    );

  program
    .command('jobs')
    .description('list events with their outcome (one job per event and pipeline)')
    .option(...CONFIG_OPTION)
    .option('-o, --outcome <outcome>', `only this outcome: ${OUTCOMES.join(', ')}`)
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('-n, --limit <n>', 'at most n rows', '50')
    .action((opts: { config: string; outcome?: string; pipeline?: string; limit: string }) =>
      withStore(opts.config, async (db) => {
        if (opts.outcome && !(OUTCOMES as readonly string[]).includes(opts.outcome)) {
          throw new Error(`--outcome must be one of ${OUTCOMES.join(', ')}`);
        }
        const jobs = await listJobs(db, {
          outcome: opts.outcome as Outcome | undefined,
          pipeline: opts.pipeline,
          limit: Number(opts.limit),
        });
        for (const j of jobs) {
          print(
            `#${j.id} ${j.pipeline || '(none)'} ${j.state}/${j.outcome ?? '-'} attempts=${j.attempts} ${j.reason ?? j.lastError ?? ''}`,
          );
        }
        if (jobs.length === 0) print('nothing matches');
      }),
    );

  program
    .command('explain <job>')
    .description('why a job ended as it did: outcome, intents, identity decisions (personal data masked)')
    .option(...CONFIG_OPTION)
    .action((jobId: string, opts: { config: string }) =>
      withStore(opts.config, async (db) => {
        const job = await getJob(db.kysely, Number(jobId));
        if (!job) throw new Error(`no job ${jobId}`);
        print(
          `job #${job.id} pipeline=${job.pipeline || '(none)'} state=${job.state} outcome=${job.outcome ?? '-'} attempts=${job.attempts}`,
        );
        if (job.reason) print(`reason: ${job.reason}`);
        if (job.lastError) print(`last error: ${job.lastError}`);
        for (const i of await listIntents(db, job.id))
          print(`intent ${i.seq}: ${i.summary} [${i.state}] ${i.result ? JSON.stringify(i.result) : ''}`);
        for (const a of await listAudit(db, { jobId: job.id }))
          print(`${new Date(a.at).toISOString()} ${a.action}: ${a.summary}`);
      }),
    );

  program
    .command('replay <job>')
    .description('run a finished job again (dead letters after a fix, or any event)')
    .option(...CONFIG_OPTION)
    .option('--dry-run', 'plan it again against current state and show the intents; write nothing')
    .action((jobId: string, opts: { config: string; dryRun?: boolean }) =>
      withStore(opts.config, async (db, loaded) => {
        if (opts.dryRun) {
          const service = await createService({ loaded, logger: createLogger('warn') });
          const { dryRunReplay } = await import('../pipeline/dry-run-replay.js');
          const result = await dryRunReplay(
            db,
            new Map(service.pipelines.map((p) => [p.name, p])),
            Number(jobId),
            Date.now,
          );
          print(`dry run of job #${result.jobId} (${result.pipeline}): ${result.outcome} — ${result.reason}`);
          for (const intent of result.intents) print(`  would ${intent}`);
          for (const c of result.candidates ?? []) print(`  candidate ${c.object} ${c.id}: ${c.why}`);
          if (result.intents.length === 0) print('  nothing would be written');
          return;
        }
        const result = await replayJob(db, Number(jobId), Date.now());
        if (result === 'not_found') throw new Error(`no job ${jobId}`);
        if (result === 'not_done')
          throw new Error(`job ${jobId} has not finished; only finished jobs can be replayed`);
        print(
          result === 'rerouted'
            ? `the event of job #${jobId} will be routed again to the pipelines now configured`
            : `job #${jobId} queued again; a running Concord picks it up within its poll interval`,
        );
      }),
    );

  const quarantine = program
    .command('quarantine')
    .description('events held back because identity was ambiguous');
  quarantine
    .command('list')
    .option(...CONFIG_OPTION)
    .option('--all', 'include resolved items')
    .action((opts: { config: string; all?: boolean }) =>
      withStore(opts.config, async (db) => {
        const items = await listQuarantine(db, opts.all ? 'all' : 'open');
        if (items.length === 0) print('quarantine is empty');
        for (const item of items) {
          print(`#${item.id} job #${item.jobId} ${item.pipeline} [${item.state}] ${item.reason}`);
          for (const c of item.candidates) print(`    candidate ${c.object} ${c.id}: ${c.why}`);
        }
      }),
    );
  quarantine
    .command('resolve <id>')
    .description('decide an ambiguous match and replay the event')
    .option(...CONFIG_OPTION)
    .option('--link <Object:Id>', 'link to this record, e.g. Contact:003xx0000000001AAA')
    .option('--create', 'create a new record instead')
    .action((id: string, opts: { config: string; link?: string; create?: boolean }) =>
      withStore(opts.config, async (db) => {
        let resolution: Resolution;
        if (opts.create && !opts.link) resolution = { action: 'create' };
        else if (opts.link && !opts.create) {
          const [object, recordId] = opts.link.split(':');
          if (!object || !recordId)
            throw new Error('--link takes Object:Id, e.g. Contact:003xx0000000001AAA');
          resolution = { action: 'link', object, recordId };
        } else throw new Error('give exactly one of --link Object:Id or --create');
        const ok = await resolveQuarantine(db, Number(id), resolution, Date.now());
        if (!ok) throw new Error(`no open quarantine item ${id}`);
        print(`quarantine #${id} resolved; its event is queued again`);
      }),
    );

  program
    .command('links')
    .description('identity links between Auth0 users and Salesforce records, with why they matched')
    .option(...CONFIG_OPTION)
    .option('--user <auth0UserId>', 'only this Auth0 user')
    .action((opts: { config: string; user?: string }) =>
      withStore(opts.config, async (db) => {
        for (const l of await listLinks(db, { auth0UserId: opts.user })) {
          print(
            `${l.tenant} ${l.auth0_user_id} ↔ ${l.org} ${l.object} ${l.record_id} (${l.matched_by}: ${l.reason})`,
          );
        }
      }),
    );
}
