import { describe, expect, it } from 'vitest';
import { spawnScript } from '../../support/runtime-process';

const usage = /Usage: npx tsx scripts\/send-webhook\.ts/;

function sendWebhook(args: string[]) {
  return spawnScript('scripts/send-webhook.ts', args, { env: { LEADS_LOG_LEVEL: 'SILENT', POWERTOOLS_LOG_LEVEL: 'SILENT' } }).result;
}

// README (Ad-platform webhooks) has a new user run this script; its mistakes are named in a line, as the npm commands name theirs.
describe('scripts/send-webhook.ts', () => {
  it('prints the usage for --help and exits 0', async () => {
    const { status, stdout, stderr } = await sendWebhook(['--help']);
    expect(stdout + stderr).toMatch(usage);
    expect(stderr).not.toMatch(/at .*\(node:internal/);
    expect(status).toBe(0);
  });

  it('names an unknown option with the usage and exits 2, without a stack trace', async () => {
    const { status, stderr } = await sendWebhook(['meta', '--bogus']);
    expect(stderr).toMatch(/--bogus/);
    expect(stderr).toMatch(usage);
    expect(stderr).not.toMatch(/ERR_PARSE_ARGS|node:internal/);
    expect(status).toBe(2);
  });

  it('says which URL it could not reach and exits 1, without a stack trace', async () => {
    const { status, stderr } = await sendWebhook(['meta', '--url', 'http://127.0.0.1:1']);
    expect(stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/.*is `npm start` running\? Give --url/);
    expect(stderr).not.toMatch(/node:internal|TypeError/);
    expect(status).toBe(1);
  });
});
