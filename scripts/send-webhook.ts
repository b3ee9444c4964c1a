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

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    id: { type: 'string' },
    config: { type: 'string', default: 'config/leads.config.json' },
    tamper: { type: 'boolean', default: false },
    deleted: { type: 'boolean', default: false },
  },
});

const channel = positionals[0] as WebhookChannel | undefined;
if (!channel || !webhookChannels.includes(channel)) {
  console.error(`Usage: npx tsx scripts/send-webhook.ts <${webhookChannels.join('|')}> [--url http://127.0.0.1:3000] [--id <lead id>] [--tamper] [--deleted]`);
  process.exit(2);
}

const config = loadConfigurationFile(resolve(values.config));
// Signs with the values `npm start` reads: demo values, config/secrets.local.json, LEADS_SECRETS.
const secrets = readLocalSecrets(localSecretSources(readLocalRuntimeSettings())).values;
const delivery = exampleDelivery(channel, config, (secret) => localSecretValue(secrets, secret).current, { id: values.id, tamper: values.tamper, leadAction: values.deleted ? 'DELETED' : 'CREATED' });
const url = new URL(delivery.path, values.url);
console.log(`${delivery.method} ${url}  (platform lead id ${delivery.platformLeadId})`);
for (const [name, value] of Object.entries(delivery.headers)) console.log(`${name}: ${value}`);
console.log(`\n${delivery.body}\n`);

const response = await fetch(url, { method: delivery.method, headers: delivery.headers, body: delivery.body });
const text = await response.text();
console.log(`→ ${response.status} ${response.statusText}`);
try {
  console.log(JSON.stringify(JSON.parse(text), null, 2));
} catch {
  console.log(text);
}
process.exitCode = response.ok ? 0 : 1;
