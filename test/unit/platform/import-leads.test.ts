import { describe, expect, it } from 'vitest';
import { importFileLines, readLeadImportFile, type ImportTarget, type LeadImportFile } from '@leadflow/domain';
import { importLeads } from '@leadflow/platform';
import { fakeDependencies } from '../../support/fakes';

const target: ImportTarget = { channel: 'trade-shows', poolId: 'americas-inbound', sourceId: 'trade-shows', defaultCountry: 'US' };

function file(text: string): LeadImportFile {
  const result = readLeadImportFile(text);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.file;
}

/** A store whose writes finish in a random order, as concurrent DynamoDB calls do. */
function jitteryDependencies() {
  const deps = fakeDependencies();
  const ingest = deps.store.ingestLead.bind(deps.store);
  deps.store.ingestLead = async (...args) => {
    await new Promise((done) => setTimeout(done, Math.random() * 5));
    return ingest(...args);
  };
  return deps;
}

const people = ['email,phone,notes', 'a@example.com,,first', 'b@example.com,+14155550101,', ',(415) 555-0101,same phone as b', 'A@example.com,,again', 'd@example.com,,', ',,nobody', 'e@example.com,,'].join('\n');

describe('importLeads', () => {
  it('creates the first row of each person and touches with the later ones, in file order, however many run at once', async () => {
    for (const concurrency of [1, 4, 16]) {
      const deps = jitteryDependencies();
      const summary = await importLeads(file(people), target, deps, { concurrency });
      expect(summary).toEqual({ rows: 7, created: 4, touched: 2, replayed: 0, invalid: 1, errors: [] });
      const leads = [...deps.store.leads.values()];
      expect(leads.find((lead) => lead.contact.email === 'a@example.com')?.contact.message).toBe('first');
      expect(leads.find((lead) => lead.contact.email === 'b@example.com')?.touches).toBe(2);
      // The row by b's phone is b's touch, no lead of its own: its note is kept on b's lead, which had none.
      expect(leads.filter((lead) => lead.contact.message === 'same phone as b').map((lead) => lead.contact.email)).toEqual(['b@example.com']);
    }
  });

  it('reports progress from 0 to the number of rows to store', async () => {
    const seen: Array<[number, number]> = [];
    await importLeads(file(people), target, fakeDependencies(), { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((done) => [done, 7]));
  });

  it('reports a row the store refuses, and the later rows of that person, and stores the rest; a second run stores them and replays the rest', async () => {
    for (const concurrency of [1, 4]) {
      const deps = jitteryDependencies();
      const ingest = deps.store.ingestLead.bind(deps.store);
      let refused = false;
      deps.store.ingestLead = async (intake) => {
        // b's first row (line 3): an error the database does not explain, such as a marshalling failure.
        if (!refused && intake.lead.contact.email === 'b@example.com') {
          refused = true;
          throw new Error('Unsupported type passed: [object Object]');
        }
        return ingest(intake);
      };
      const first = await importLeads(file(people), target, deps, { concurrency });
      // Line 4 is b by phone: not stored before b, so a second run creates b from line 3 as the file says.
      expect(first).toEqual({
        rows: 7,
        created: 3,
        touched: 1,
        replayed: 0,
        invalid: 1,
        errors: [
          { row: 3, column: '(row)', message: expect.stringMatching(/^could not be stored/) },
          { row: 4, column: '(row)', message: expect.stringMatching(/^not stored because line 3/) },
        ],
      });
      expect(first).not.toHaveProperty('nextLine');
      const again = await importLeads(file(people), target, deps, { concurrency });
      expect(again).toEqual({ rows: 7, created: 1, touched: 1, replayed: 5, invalid: 0, errors: [] });
      expect([...deps.store.leads.values()].find((lead) => lead.contact.email === 'b@example.com')).toMatchObject({ contact: { phone: '+14155550101' }, touches: 2 });
    }
  });

  it('stops at a row the database turns away and says that line; an import from it finishes the file', async () => {
    const deps = fakeDependencies();
    const ingest = deps.store.ingestLead.bind(deps.store);
    let calls = 0;
    deps.store.ingestLead = async (...args) => {
      if (++calls === 3) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return ingest(...args);
    };
    // One at a time, in file order: a and b (created), then b's phone row (line 4) is turned away.
    const first = await importLeads(file(people), target, deps, { concurrency: 1 });
    expect(first).toEqual({ rows: 2, created: 2, touched: 0, replayed: 0, invalid: 0, errors: [], nextLine: 4 });
    const rest = await importLeads(importFileLines(file(people), first.nextLine!), target, deps, { concurrency: 1 });
    expect(rest).toEqual({ rows: 5, created: 2, touched: 2, replayed: 0, invalid: 1, errors: [] });
  });

  it('throws when the database turns away the first rows and none was stored', async () => {
    const deps = fakeDependencies();
    deps.store.ingestLead = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(importLeads(file(people), target, deps, { concurrency: 4 })).rejects.toThrow('ECONNREFUSED');
  });

  it('stops starting rows when its time runs out, says the line it stopped at, and an import from that line finishes the file without redoing any', async () => {
    const deps = fakeDependencies();
    const ingest = deps.store.ingestLead.bind(deps.store);
    deps.store.ingestLead = async (...args) => {
      await new Promise((done) => setTimeout(done, 20));
      return ingest(...args);
    };
    // A bad row before the stopping point and one after it: each reported by the call that covers its line.
    const list = file(['email,notes', 'bad@example.com,a,b', ...Array.from({ length: 40 }, (_, index) => `p${index}@example.com,`), 'late@example.com,c,d'].join('\n'));
    let deadline: number | undefined;
    const remainingMs = () => (deadline ??= Date.now() + 100) - Date.now();

    const first = await importLeads(list, target, deps, { concurrency: 4, remainingMs });
    expect(first.nextLine).toBeGreaterThan(3);
    expect(first.nextLine).toBeLessThan(43);
    const storedRows = first.nextLine! - 3;
    expect(first).toEqual({ rows: storedRows + 1, created: storedRows, touched: 0, replayed: 0, invalid: 0, errors: [{ row: 2, column: '(row)', message: expect.any(String) }], nextLine: first.nextLine });
    expect(deps.store.leads.size).toBe(storedRows);

    const rest = await importLeads(importFileLines(list, first.nextLine!), target, deps, { concurrency: 4 });
    expect(rest).toEqual({ rows: 40 - storedRows + 1, created: 40 - storedRows, touched: 0, replayed: 0, invalid: 0, errors: [{ row: 43, column: '(row)', message: expect.any(String) }] });
    expect(deps.store.leads.size).toBe(40);
    expect(first.rows + rest.rows).toBe(list.rowsRead);
  });
});
