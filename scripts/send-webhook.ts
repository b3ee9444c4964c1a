/**
 * Signs and sends one channel's example delivery to a running Leadflow (`npm start`), and prints the answer.
 *
 *   npx tsx scripts/send-webhook.ts <meta|google|linkedin|tiktok|generic> [--url http://127.0.0.1:3000]
 *       [--id <platform lead id>] [--config config/leads.config.json] [--tamper] [--deleted]
 *
 * Each run uses a fresh lead id unless `--id` is given (send the same id twice to see a replay).
 * `--tamper` breaks the signature (expect 401); `--deleted` sends LinkedIn's `leadAction: DELETED`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigurationFile, localSecretValue, readLocalSecrets } from '@leadflow/platform';
import { readLocalRuntimeSettings } from '@leadflow/local-runtime';
import { localSecretSources } from '@leadflow/local-runtime';
import { exampleDelivery, webhookChannels, type WebhookChannel } from './webhook-examples';

const usage = `Usage: npx tsx scripts/send-webhook.ts <${webhookChannels.join('|')}> [--url http://127.0.0.1:3000] [--id <lead id>] [--config <file>] [--tamper] [--deleted]`;

/** A mistake in the call: named on stderr in a line with the usage, exit 2, as the npm commands do. */
function refuse(problem: string): never {
  console.error(`${problem}\n${usage}`);
  process.exit(2);
}

function readArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        id: { type: 'string' },
        config: { type: 'string', default: 'config/leads.config.json' },
        tamper: { type: 'boolean', default: false },
        deleted: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs's own message ends with advice about positionals that does not apply here.
    return refuse((error instanceof Error ? error.message : String(error)).split('. To specify')[0] ?? 'Bad arguments');
  }
}

const { values, positionals } = readArguments();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const channel = positionals[0] as WebhookChannel | undefined;
if (!channel || !webhookChannels.includes(channel)) refuse(channel ? `Unknown channel "${channel}"` : 'Give the channel to send');

const config = loadConfigurationFile(resolve(values.config));
// Signs with the values `npm start` reads: demo values, config/secrets.local.json, LEADS_SECRETS.
const secrets = readLocalSecrets(localSecretSources(readLocalRuntimeSettings())).values;
const delivery = exampleDelivery(channel, config, (secret) => localSecretValue(secrets, secret).current, { id: values.id, tamper: values.tamper, leadAction: values.deleted ? 'DELETED' : 'CREATED' });
const url = new URL(delivery.path, values.url);
console.log(`${delivery.method} ${url}  (platform lead id ${delivery.platformLeadId})`);
for (const [name, value] of Object.entries(delivery.headers)) console.log(`${name}: ${value}`);
console.log(`\n${delivery.body}\n`);

const response = await fetch(url, { method: delivery.method, headers: delivery.headers, body: delivery.body }).catch((error: unknown) => {
  const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  console.error(`cannot reach ${url.href} (${reason}); is \`npm start\` running? Give --url for another port.`);
  return process.exit(1);
});
const text = await response.text();
console.log(`→ ${response.status} ${response.statusText}`);
try {
  console.log(JSON.stringify(JSON.parse(text), null, 2));
} catch {
  console.log(text);
}
process.exitCode = response.ok ? 0 : 1;
