import { startTestRuntime } from '../test/support/local-runtime';
const runtime = await startTestRuntime();
try {
  const response = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Ada%20Lovelace&email=ada@example.com&phone=%2B14155550100' });
  console.log(response.status, await response.text());
  for (let i = 0; i < 60; i += 1) { const ev = (await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]; if (ev.some((e) => e.detailType === 'lead.assigned' || e.detailType === 'lead.pooled')) break; await new Promise((d) => setTimeout(d, 1000)); }
  const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as any[];
  for (const event of events) console.log(event.detailType, JSON.stringify(event.rules), event.detailType === 'lead.scored' ? JSON.stringify(event.detail) : '');
  console.log(JSON.stringify(await (await fetch(`${runtime.url}/_local/dead-letters`)).json()).slice(0, 1500));
} finally {
  await runtime.stop();
}
