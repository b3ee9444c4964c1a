import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLocalRuntimeSettings } from '@leadflow/platform';
import { startLocalRuntime } from '@leadflow/local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;
const leadCount = 40;
const concurrency = 8;
const singleLeads = 10;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/**
 * Speed to lead through the local runtime on DynamoDB Local: time from a form post to its 202, and to
 * the rep's email in the outbox (capture → stream → bus → assignment → stream → bus → notifier).
 * Medians and 95th percentiles, as the speed-to-lead studies report medians. Figures, not assertions.
 */
export async function speedToLeadBenchmark() {
  // Every post comes from one address here, so the benchmark's copy of the demo lifts the per-IP limit.
  const configDir = mkdtempSync(join(tmpdir(), 'leadflow-bench-'));
  const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8')) as { forms: Array<Record<string, unknown>> };
  for (const form of config.forms) form.rateLimitPerMinute = 10_000;
  writeFileSync(join(configDir, 'leads.config.json'), JSON.stringify(config));
  const settings = readLocalRuntimeSettings({ PORT: '0', LEADS_IN_MEMORY: '1', LEADS_LOG_LEVEL: 'SILENT', LEADS_SCHEDULES: '0', LEADS_CONFIG_FILE: join(configDir, 'leads.config.json') });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const runtime = await startLocalRuntime(settings, rootDir);
  try {
    const accepted: number[] = [];
    const notified: number[] = [];
    const emailed = new Map<string, number>();
    const watcher = setInterval(() => {
      for (const message of runtime.activity.notifications) if (message.leadId && !emailed.has(message.leadId)) emailed.set(message.leadId, Date.now());
    }, 5);

    // One lead at a time first: the latency a single fresh lead sees on a quiet system.
    const single: number[] = [];
    for (let index = 0; index < singleLeads; index += 1) {
      const sent = Date.now();
      const response = await fetch(`${runtime.url}/forms/demo/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Single Lead ${index}`, email: `single-${index}@example.com` }),
      });
      const { leadId } = (await response.json()) as { leadId: string };
      while (!emailed.has(leadId) && Date.now() - sent < 30_000) await new Promise((done) => setTimeout(done, 5));
      single.push(emailed.get(leadId)! - sent);
    }

    const started = Date.now();
    const postedAt = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < leadCount) {
        const index = next++;
        const sent = Date.now();
        const response = await fetch(`${runtime.url}/forms/demo/submissions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Bench Lead ${index}`, email: `bench-${index}@example.com` }),
        });
        const { leadId } = (await response.json()) as { leadId: string };
        accepted.push(Date.now() - sent);
        postedAt.set(leadId, sent);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const deadline = Date.now() + 60_000;
    while ([...postedAt.keys()].some((leadId) => !emailed.has(leadId)) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    clearInterval(watcher);
    const elapsed = Date.now() - started;
    for (const [leadId, sent] of postedAt) if (emailed.has(leadId)) notified.push(emailed.get(leadId)! - sent);

    return [
      { name: `one lead at a time: post → rep emailed, median (${singleLeads} leads)`, value: percentile(single, 0.5), unit: 'ms', budget: 2000 },
      { name: `form post → 202, median (${leadCount} leads, ${concurrency} at a time)`, value: percentile(accepted, 0.5), unit: 'ms' },
      { name: 'form post → 202, p95', value: percentile(accepted, 0.95), unit: 'ms' },
      { name: 'form post → rep emailed, median', value: percentile(notified, 0.5), unit: 'ms', budget: 2000 },
      { name: 'form post → rep emailed, p95', value: percentile(notified, 0.95), unit: 'ms', budget: 5000 },
      { name: 'leads notified', value: notified.length, unit: `of ${leadCount}` },
      { name: 'throughput, post to last email', value: (notified.length / elapsed) * 1000, unit: 'leads/s' },
    ];
  } finally {
    await runtime.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}
