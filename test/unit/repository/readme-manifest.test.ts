import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secretRefs, type SecretRef } from '@leadflow/domain';
import { manifestFunctions, type FunctionDefinition, type RouteAuth } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';

/** The functions of the demo configuration, whose routing table the README documents. */
const functions = manifestFunctions(demoConfiguration());
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** Every table row of a Markdown document as its cells, trimmed; `\|` inside a cell is not a separator. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

/** What a README's endpoint, event and schedule tables fail to say about the manifest's functions, one line each. */
function missingFromReadme(markdown: string, definitions: readonly FunctionDefinition[]): string[] {
  const rows = tableRows(markdown);
  const missing: string[] = [];
  for (const { name, trigger } of definitions) {
    if (trigger.kind === 'http') {
      const route = `${trigger.method} ${trigger.path}`;
      // The first cell may go on with a query string or alternatives: `GET /leads/lookup?email=…`.
      const row = rows.find(([first]) => first !== undefined && new RegExp(`^\`${escapeRegExp(route)}(?=[\`?\\s\\[])`).test(first));
      if (!row) missing.push(`route ${route} (${name}) has no row`);
      else if (!authCellSays(row[1] ?? '', trigger.auth.mode)) missing.push(`route ${route} (${name}) is ${trigger.auth.mode}, README's auth cell says "${row[1]}"`);
    }
    if (trigger.kind === 'event') {
      for (const rule of trigger.rules) {
        // A rule names its event types at the top, or in each alternative of a top-level `$or`.
        const alternatives = Array.isArray(rule.pattern.$or) ? (rule.pattern.$or as Array<Record<string, unknown>>) : [rule.pattern];
        const detailTypes = alternatives.flatMap((alternative) => (Array.isArray(alternative['detail-type']) ? (alternative['detail-type'] as unknown[]) : []));
        for (const detailType of detailTypes) {
          const row = rows.find(([first]) => first === `\`${String(detailType)}\``);
          const target = row?.at(-1) ?? '';
          if (!target.includes(`\`${rule.ruleName}\``) || !target.includes(`→ \`${name}\``)) missing.push(`event ${String(detailType)}: rule ${rule.ruleName} → ${name} is not in its row`);
        }
      }
    }
    if (trigger.kind === 'schedule') {
      const row = rows.find(([first]) => first === `\`${trigger.scheduleName}\``);
      if (!row?.[1]?.startsWith(`\`${trigger.expression}\` (${trigger.timeZone})`)) missing.push(`schedule ${trigger.scheduleName}: \`${trigger.expression}\` (${trigger.timeZone}) has no row`);
    }
  }
  return missing;
}

function authCellSays(cell: string, mode: RouteAuth['mode']): boolean {
  if (mode === 'public') return cell === 'public';
  if (mode === 'jwt') return cell.startsWith('JWT');
  return cell !== 'public' && !cell.startsWith('JWT');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The name README gives each secret: one of an integration, form or source shows the id's place (`google/forms/<formId>/key`). */
const secretPlaceholders: Record<string, string> = { googleFormKey: '<formId>', genericSourceSecret: '<sourceId>', turnstileSecretKey: '<formId>', webhookSigningSecret: '<destinationId>' };
const documentedSecretNames: SecretRef[] = Object.entries(secretRefs).map(([key, ref]) => {
  if (typeof ref !== 'function') return ref;
  const placeholder = secretPlaceholders[key];
  if (!placeholder) throw new Error(`secretRefs.${key} takes an id: give it its placeholder here`);
  return ref(placeholder);
});

/** Each secret whose row in README's secrets table names other readers than the manifest's `secrets` grant, one line each. */
function misstatedSecretReaders(markdown: string, definitions: readonly FunctionDefinition[]): string[] {
  const rows = tableRows(markdown);
  return documentedSecretNames.flatMap(({ kind, name }) => {
    const row = rows.find(([first]) => /^`([^`]+)`/.exec(first ?? '')?.[1] === name);
    if (!row) return [`secret ${name} has no row`];
    const documented = [...(row[2] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]).sort();
    const granted = definitions
      .filter((definition) => definition.secrets?.includes(kind))
      .map((definition) => definition.name)
      .sort();
    return documented.join(',') === granted.join(',') ? [] : [`secret ${name}: README says ${documented.join(', ')}; the manifest grants ${granted.join(', ')}`];
  });
}

describe('README tables and the manifest', () => {
  it("name each secret's readers as the manifest grants it", () => {
    expect(misstatedSecretReaders(readme, functions)).toEqual([]);
    const withoutReader = readme.replace('`notify-rep`, `notify-offered-reps`, `notify-offer-taken`,', '`notify-rep`, `notify-offered-reps`,');
    expect(misstatedSecretReaders(withoutReader, functions)).toEqual([expect.stringMatching(/^secret notifications\/action-link-key: README says .*; the manifest grants .*notify-offer-taken/)]);
  });

  it('document every HTTP route with its auth, every event rule with its target and every schedule', () => {
    expect(missingFromReadme(readme, functions)).toEqual([]);
  });

  it('notice a route, an event rule or a schedule left out', () => {
    const withoutRows = readme
      .split('\n')
      .filter((line) => !line.startsWith('| `GET /health`') && !line.startsWith('| `lead.assigned`') && !line.startsWith('| `sweep-outbox`'))
      .join('\n');
    expect(missingFromReadme(withoutRows, functions).sort()).toEqual([
      'event lead.assigned: rule lead-activity-to-team-counters → count-team-activity is not in its row',
      'event lead.assigned: rule lead-assigned-to-notification → notify-rep is not in its row',
      'event lead.assigned: rule lead-changed-to-follow-up-due → track-follow-up-due is not in its row',
      'event lead.assigned: rule lead-offer-taken-to-notification → notify-offer-taken is not in its row',
      'event lead.assigned: rule webhook-crm → deliver-webhook is not in its row',
      'route GET /health (health) has no row',
      'schedule sweep-outbox: `rate(5 minutes)` (UTC) has no row',
    ]);
  });

  it('notice a route whose auth the README misstates', () => {
    const misstated = readme.replace('| `GET /leads/{leadId}` | JWT |', '| `GET /leads/{leadId}` | public |');
    expect(missingFromReadme(misstated, functions)).toEqual(['route GET /leads/{leadId} (get-lead) is jwt, README\'s auth cell says "public"']);
  });
});
