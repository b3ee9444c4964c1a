import { describe, expect, it } from 'vitest';
import { leadImportChunks, mapImportColumns, parseCsvRecords, readLeadImportFile, type ImportTarget, type LeadImportFile } from '@leadflow/domain';
import { importLeadChunks, importLeads } from '@leadflow/platform';
import { fakeDependencies } from '../../support/fakes';

const target: ImportTarget = { channel: 'trade-shows', poolId: 'americas-inbound', sourceId: 'trade-shows', defaultCountry: 'US' };

function file(text: string): LeadImportFile {
  const result = readLeadImportFile(text);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.file;
}

/** The records of `text` in file order, as the command line's reader hands them out. */
async function* recordsOf(text: string) {
  const { records, problems } = parseCsvRecords(text);
  const items = [...records.map((record) => ({ line: record.line, item: { record } })), ...problems.map((problem) => ({ line: problem.line, item: { problem } }))];
  for (const { item } of items.sort((a, b) => a.line - b.line)) yield item;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('importLeads: the time a row is captured', () => {
  it('stamps each row with the time it is stored, read from deps.now then, not the time the import began', async () => {
    const deps = fakeDependencies();
    let clock = Date.parse('2026-03-02T10:00:00.000Z');
    let lastRead = '';
    deps.now = () => {
      clock += 60_000;
      lastRead = new Date(clock).toISOString();
      return new Date(clock);
    };
    const ingest = deps.store.ingestLead.bind(deps.store);
    const capturedAtStore: Array<[string, string]> = [];
    deps.store.ingestLead = async (intake) => {
      capturedAtStore.push([intake.lead.capturedAt, lastRead]);
      return ingest(intake);
    };
    await importLeads(file('email\na@example.com\nb@example.com\nc@example.com\n'), target, deps, { concurrency: 1 });
    // Each lead's capture time is the clock's latest reading when it was written, so no two rows share it.
    expect(capturedAtStore.map(([capturedAt]) => capturedAt)).toEqual(capturedAtStore.map(([, read]) => read));
    expect(new Set(capturedAtStore.map(([capturedAt]) => capturedAt)).size).toBe(3);
    const leads = [...deps.store.leads.values()].sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
    expect(leads.map((lead) => lead.contact.email)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    expect(leads.every((lead) => lead.history[0].at === lead.capturedAt && lead.score?.scoredAt === lead.capturedAt)).toBe(true);
  });
});

describe('importLeads: a row with an external id is keyed by it', () => {
  it('reads "External ID", "externalId" and "external_id" as the external id column, also kept in the answers as external_id', () => {
    for (const header of ['External ID', 'externalId', 'external_id']) {
      expect(mapImportColumns([header, 'email'], new Set()).columns[0].target).toEqual({ kind: 'external_id' });
    }
    expect(file('External ID,email\nCRM-1,a@example.com\n').rows[0]).toEqual({ row: 2, contact: { email: 'a@example.com' }, answers: { external_id: 'CRM-1' }, touch: {}, externalId: 'CRM-1' });
    // A plain "ID" or a badge number is no identity: kept as an answer, the row keyed by its content.
    expect(file('ID,Badge ID,email\n7,A26-1,a@example.com\n').rows[0]).toMatchObject({ answers: { id: '7', badge_id: 'A26-1' } });
  });

  it('refuses, as a row error naming the column, an external id with a control or bidirectional character', () => {
    const read = file('External ID,email\nCRM-1\u202E,a@example.com\nCRM-\u00012,b@example.com\nCRM-3,c@example.com\n');
    expect(read.rows.map((row) => row.externalId)).toEqual(['CRM-3']);
    expect(read.errors).toEqual([
      { row: 2, column: 'External ID', message: expect.stringMatching(/^must not contain control characters.*U\+202E/) },
      { row: 3, column: 'External ID', message: expect.stringMatching(/^must not contain control characters.*U\+0001/) },
    ]);
  });

  it('reports a later row with the same external id as an earlier one, in the same part or a later one, rather than replaying it unseen', async () => {
    const text = 'external_id,name,email\nCRM-1,Ada,ada@example.com\nCRM-2,Bo,\nCRM-1,Cy,cy@example.com\nCRM-2,Di,di@example.com\n';
    const duplicates = [
      { row: 4, column: 'external_id', message: 'is the same as on line 2: one external id is one lead, so this row is not imported (merge the two rows, or give this one an id of its own)' },
      { row: 5, column: 'external_id', message: 'is the same as on line 3: one external id is one lead, so this row is not imported (merge the two rows, or give this one an id of its own)' },
    ];
    const deps = fakeDependencies();
    expect(await importLeads(file(text), target, deps)).toEqual({ rows: 4, created: 1, touched: 0, replayed: 0, invalid: 1, errors: duplicates });
    expect([...deps.store.leads.values()].map((lead) => lead.contact.name).sort()).toEqual(['Ada', 'Bo']);
    // Imported again: the first rows replay, the later ones are reported again.
    expect(await importLeads(file(text), target, deps)).toEqual({ rows: 4, created: 0, touched: 0, replayed: 2, invalid: 0, errors: duplicates });
    // Read a part at a time, as the command line reads a file, a row's id is still checked against the earlier parts.
    expect(await importLeadChunks(leadImportChunks(recordsOf(text), 1), target, fakeDependencies())).toEqual({ rows: 4, created: 1, touched: 0, replayed: 0, invalid: 1, errors: duplicates });
    // The first row with an id keeps it while it has errors of its own, so correcting it does not move the id to another row.
    expect(file(`external_id,name,email\nCRM-1,${'n'.repeat(201)},ada@example.com\nCRM-1,Cy,cy@example.com\n`).errors.map(({ row, column }) => [row, column])).toEqual([
      [2, 'name'],
      [3, 'external_id'],
    ]);
  });

  it("keys an id per channel as well as per campaign: two channels' rows with the same id in one campaign are two people", async () => {
    const deps = fakeDependencies();
    const spring = { campaign: 'spring', sourceId: 'spring', poolId: 'americas-inbound', defaultCountry: 'US' };
    expect(await importLeads(file('External ID,email\n17,ada@example.com\n'), { ...spring, channel: 'website' }, deps)).toMatchObject({ created: 1, replayed: 0 });
    expect(await importLeads(file('External ID,email\n17,bo@example.com\n'), { ...spring, channel: 'meta-ads' }, deps)).toMatchObject({ created: 1, replayed: 0 });
    expect([...deps.store.leads.values()].map((lead) => lead.contact.email).sort()).toEqual(['ada@example.com', 'bo@example.com']);
    // Within one channel and campaign, the id is still the row's identity.
    expect(await importLeads(file('External ID,email\n17,bo@example.com\n'), { ...spring, channel: 'meta-ads' }, deps)).toMatchObject({ created: 0, replayed: 1 });
  });

  it('imports a corrected row again as the same lead, reported, not a second lead; the earlier invalid lead is kept as it was', async () => {
    const deps = fakeDependencies();
    const first = await importLeads(file('external_id,name,email\nCRM-1,Ada,ada@example\nCRM-2,Bo,bo@example.com\n'), target, deps);
    expect(first).toMatchObject({ rows: 2, created: 1, invalid: 1, errors: [] });
    const [invalid] = [...deps.store.leads.values()].filter((lead) => lead.status === 'invalid');

    // The file fixed (Ada's email) and imported again; Bo's company added too.
    const again = await importLeads(file('external_id,name,email,company\nCRM-1,Ada,ada@example.com,\nCRM-2,Bo,bo@example.com,Acme\n'), target, deps);
    expect(again).toEqual({
      rows: 2,
      created: 0,
      touched: 0,
      replayed: 1,
      invalid: 0,
      errors: [{ row: 2, column: '(row)', message: `external id "CRM-1" was imported before as lead ${invalid.leadId}, kept invalid (${invalid.statusReason}); this row is that lead, so it was not stored again` }],
    });
    expect(deps.store.leads.size).toBe(2);
    expect(deps.store.leads.get(invalid.leadId)).toEqual(invalid);
  });

  it('is one lead however often its id is delivered in several files, whatever else the rows say', async () => {
    const deps = fakeDependencies();
    expect(await importLeads(file('externalId,email,notes\nX-9,a@example.com,first\n'), target, deps)).toMatchObject({ created: 1, touched: 0, replayed: 0 });
    const again = file('externalId,email,notes\nX-9,a@example.com,again\n');
    expect(await importLeads(again, target, deps)).toMatchObject({ created: 0, touched: 0, replayed: 1 });
    expect(deps.store.leads.size).toBe(1);
    // Another source's id X-9 is another delivery: here the same person, so a touch of their lead.
    expect(await importLeads(again, { ...target, sourceId: 'automate-2026', campaign: 'automate-2026' }, deps)).toMatchObject({ created: 0, touched: 1, replayed: 0 });
  });

  it('keys a file without an external id by content, as before: a corrected invalid row is a new lead', async () => {
    const deps = fakeDependencies();
    await importLeads(file('name,email\nAda,ada@example\n'), target, deps);
    expect(await importLeads(file('name,email\nAda,ada@example\n'), target, deps)).toMatchObject({ replayed: 1 });
    expect(await importLeads(file('name,email\nAda,ada@example.com\n'), target, deps)).toMatchObject({ created: 1 });
    expect(deps.store.leads.size).toBe(2);
  });
});

describe('importLeadChunks: a file imported a part at a time', () => {
  // 9 data rows: a blank line, a row with a value too many at the end of the first part, a quoted value over two lines, b twice.
  const text = [
    'email,notes',
    'a@example.com,',
    'b@example.com,one',
    '',
    'bad@example.com,x,y',
    'c@example.com,"two',
    'lines"',
    'd@example.com,',
    'B@example.com,again',
    'e@example.com,',
    'f@example.com,',
    'g@example.com,',
  ].join('\n');

  it('hands out parts of at most the rows asked for, read valid or not, with each error on its line, and all of them make the whole file', async () => {
    const chunks = await all(leadImportChunks(recordsOf(text), 2));
    expect(chunks.map((chunk) => chunk.rows.map((row) => row.row))).toEqual([[2, 3], [6], [8, 9], [10, 11], [12]]);
    expect(chunks.flatMap((chunk) => chunk.errors)).toEqual(file(text).errors);
    expect(chunks.map((chunk) => chunk.rowsRead)).toEqual([2, 2, 2, 2, 1]);
    expect(chunks[1].errors).toEqual([{ row: 5, column: '(row)', message: expect.stringMatching(/^has 3 values/) }]);
    expect(chunks.flatMap((chunk) => chunk.rows)).toEqual(file(text).rows);
    expect(chunks.reduce((sum, chunk) => sum + chunk.rowsRead, 0)).toBe(file(text).rowsRead);
  });

  it('asks the records for no more than it holds: the first part is handed out before the rest is read', async () => {
    let read = 0;
    async function* counted() {
      for await (const item of recordsOf(['email', ...Array.from({ length: 1000 }, (_, index) => `p${index}@example.com`)].join('\n'))) {
        read += 1;
        yield item;
      }
    }
    const chunks = leadImportChunks(counted(), 10);
    const first = await chunks.next();
    expect(first.value?.rows).toHaveLength(10);
    // The header and the ten rows, and the one record that showed the part was full at most.
    expect(read).toBeLessThanOrEqual(12);
    await chunks.return(undefined);
  });

  it('holds no more than the rows asked for when most rows are bad: a part is handed out before the rest is read', async () => {
    let read = 0;
    async function* counted() {
      for await (const item of recordsOf(['email,notes', ...Array.from({ length: 1000 }, (_, index) => `p${index}@example.com,x,too many`)].join('\n'))) {
        read += 1;
        yield item;
      }
    }
    const chunks = leadImportChunks(counted(), 10);
    const first = await chunks.next();
    expect(first.value?.errors).toHaveLength(10);
    expect(read).toBeLessThanOrEqual(12);
    await chunks.return(undefined);
  });

  it('imports as importLeads does the whole file: the same counts and errors, one part after the other', async () => {
    const whole = await importLeads(file(text), target, fakeDependencies());
    const seen: number[] = [];
    const inParts = await importLeadChunks(leadImportChunks(recordsOf(text), 2), target, fakeDependencies(), { onProgress: (done) => seen.push(done) });
    expect(inParts).toEqual(whole);
    expect(whole).toMatchObject({ rows: 9, created: 7, touched: 1, errors: [{ row: 5 }] });
    expect(seen.at(-1)).toBe(8);
  });

  it('does not store in a later part the rows of a person the store refused in an earlier one, and says where it stopped when the database goes away', async () => {
    const deps = fakeDependencies();
    const ingest = deps.store.ingestLead.bind(deps.store);
    deps.store.ingestLead = async (intake) => {
      if (intake.lead.contact.email === 'b@example.com' && intake.lead.contact.message === 'one') throw new Error('Unsupported type passed');
      if (intake.lead.contact.email === 'f@example.com') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return ingest(intake);
    };
    const summary = await importLeadChunks(leadImportChunks(recordsOf(text), 2), target, deps, { concurrency: 1 });
    // Lines 2 to 10: a, c, d and e created; b refused (line 3) and so not stored from line 9, in the next part; line 5 is not a row.
    expect(summary).toEqual({
      rows: 7,
      created: 4,
      touched: 0,
      replayed: 0,
      invalid: 0,
      errors: [
        { row: 3, column: '(row)', message: expect.stringMatching(/^could not be stored/) },
        { row: 5, column: '(row)', message: expect.stringMatching(/^has 3 values/) },
        { row: 9, column: '(row)', message: 'not stored because line 3, of the same person, could not be stored; import the file again to store both' },
      ],
      nextLine: 11,
    });
  });

  it('reports the rows of an earlier part the store refused, with where it stopped, when the database goes away in a later part', async () => {
    const deps = fakeDependencies();
    deps.store.ingestLead = async (intake) => {
      if (intake.lead.contact.email === 'c@example.com') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      throw new Error('Unsupported type passed');
    };
    const summary = await importLeadChunks(leadImportChunks(recordsOf('email\na@example.com\nb@example.com\nc@example.com\n'), 2), target, deps, { concurrency: 1 });
    expect(summary).toEqual({
      rows: 2,
      created: 0,
      touched: 0,
      replayed: 0,
      invalid: 0,
      errors: [
        { row: 2, column: '(row)', message: expect.stringMatching(/^could not be stored/) },
        { row: 3, column: '(row)', message: expect.stringMatching(/^could not be stored/) },
      ],
      nextLine: 4,
    });
  });

  it('throws, as importLeads does, when the database turns away the first rows and none was stored', async () => {
    const deps = fakeDependencies();
    deps.store.ingestLead = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(importLeadChunks(leadImportChunks(recordsOf(text), 2), target, deps)).rejects.toThrow('ECONNREFUSED');
  });
});
