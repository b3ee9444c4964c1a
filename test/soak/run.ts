/**
 * `npm run soak -- [--seconds 120] [--concurrency 8] [--data-dir]`: sustained load on the local runtime,
 * then an account of every lead. Each of `concurrency` clients posts new people for `seconds`, sending a
 * post again after a 503 as its `Retry-After` says. Once the load stops and the pipeline drains, every
 * person must be one lead in the table, assigned once, emailed once and sent at most one SMS (what the
 * local SES and SMS endpoints accepted, `/_local/outbox/counts`); any lead lost, stored twice, assigned or
 * emailed other than once, or sent more than one SMS, is named and the exit code is 1. Ctrl-C stops the
 * runtime and removes the work directory (exit 130).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const usage = 'Usage: npm run soak [-- --seconds 120 --concurrency 8 --data-dir]';
const options = { seconds: { type: 'string', default: '120' }, concurrency: { type: 'string', default: '8' }, 'data-dir': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } as const;

/** The options given, or the process ended: a mistake in them is one line and the usage (exit 2), not parseArgs' stack trace. */
function soakOptions() {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const values = soakOptions();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
if (!(seconds > 0) || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`--seconds must be a positive number and --concurrency a positive whole number (got ${values.seconds}, ${values.concurrency})`);
  process.exit(2);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The handlers' log lines would bury the figures; the logger reads its level when first imported.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// So would their metric lines (CloudWatch EMF on stdout, whatever the log level), and the soak reads none.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { startTestRuntime } = await import('../support/local-runtime');
const { interruptedExitCode, stopOnCtrlC } = await import('@leadflow/local-runtime');
const { postPersonUntilStored, postUntil, settledAccount, writeLoadConfiguration } = await import('../support/load-test');
const workDir = mkdtempSync(join(tmpdir(), 'leadflow-soak-'));
// Ctrl-C: no further post starts and the account is not taken; the runtime is stopped and the work directory
// removed (the finally below), then exit 130.
const interrupted = stopOnCtrlC(`Interrupted: stopping the local runtime and removing ${workDir}…`);
const whenInterrupted = new Promise<'interrupted'>((resolve) => interrupted.addEventListener('abort', () => resolve('interrupted'), { once: true }));
let runtime: Awaited<ReturnType<typeof startTestRuntime>> | undefined;
const label = `soak-${Date.now()}`;
try {
  runtime = await startTestRuntime({
    dataDir: values['data-dir'] ? join(workDir, 'data') : undefined,
    env: { LEADS_CONFIG_FILE: writeLoadConfiguration(join(workDir, 'config')), LEADS_SCHEDULES: '0' },
  });
  if (!interrupted.aborted) await soak(runtime.url);
} finally {
  await runtime?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
if (interrupted.aborted) {
  console.error(`soak interrupted (Ctrl-C): the local runtime is stopped and ${workDir} removed.`);
  process.exit(interruptedExitCode);
}

async function soak(url: string): Promise<void> {
  console.log(`soak: ${concurrency} clients posting new people for ${seconds} s (DynamoDB Local ${values['data-dir'] ? 'on disk' : 'in memory'})`);
  const startedAt = Date.now();
  const stored = await postUntil(
    concurrency,
    () => interrupted.aborted || Date.now() - startedAt >= seconds * 1000,
    (index) => postPersonUntilStored(url, label, index, 10),
  );
  if (interrupted.aborted) {
    console.log(`soak: ${stored.length} people posted before the interrupt; not accounted for.`);
    return;
  }
  const loadSeconds = (Date.now() - startedAt) / 1000;
  const posts = stored.reduce((sum, person) => sum + person.statuses.length, 0);
  const leadIds = stored.map((person) => person.leadId);
  const storedTwice = leadIds.length - new Set(leadIds).size;

  const drainStartedAt = Date.now();
  const account = await Promise.race([settledAccount(url, leadIds, 600_000), whenInterrupted]);
  if (account === 'interrupted') return;
  const deadLetters = ((await (await fetch(`${url}/_local/dead-letters`)).json()) as unknown[]).length;
  console.log(
    [
      `people posted           ${stored.length} (${posts} posts, ${posts - stored.length} sent again after a 503)`,
      `accepted per second     ${(stored.length / loadSeconds).toFixed(1)} over ${loadSeconds.toFixed(0)} s`,
      `drained after the load  ${((Date.now() - drainStartedAt) / 1000).toFixed(1)} s`,
      `dead letters            ${deadLetters}`,
      `lost                    ${account.missing.length}`,
      `stored twice            ${storedTwice}`,
      `not assigned once       ${account.notAssignedOnce.length}`,
      `not emailed once        ${account.notNotifiedOnce.length} (or sent more than one SMS)`,
    ].join('\n'),
  );
  const problems = [
    ...account.missing.map((leadId) => `lead ${leadId} was acknowledged (202) but is not in the table`),
    ...(storedTwice > 0 ? [`${storedTwice} people were stored as more than one lead`] : []),
    ...account.notAssignedOnce.map(({ leadId, assignments }) => `lead ${leadId} was assigned ${assignments} times`),
    ...account.notNotifiedOnce.map(({ leadId, emails, sms }) => `lead ${leadId} was emailed ${emails} times and sent ${sms} SMS`),
  ];
  if (problems.length > 0) {
    console.error(`soak FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else console.log('soak passed: every acknowledged lead is in the table, assigned once, emailed once and sent at most one SMS.');
}
