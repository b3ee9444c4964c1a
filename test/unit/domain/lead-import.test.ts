import { describe, expect, it } from 'vitest';
import { formatCsvLine, fromLineIssues, importRowKey, importSubmission, mapImportColumns, parseCsvRecords, readLeadImportFile, resolveImportTarget, type ImportTarget } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const channels = config.channels.map((channel) => channel.id).join(', ');
const target: ImportTarget = { channel: 'trade-shows', campaign: 'automate-2026', poolId: 'americas-inbound', sourceId: 'automate-2026', defaultCountry: 'US' };

function readOk(text: string) {
  const result = readLeadImportFile(text);
  if (!result.ok) throw new Error(`expected a readable file, got ${JSON.stringify(result.issues)}`);
  return result.file;
}

describe('parseCsvRecords (RFC 4180)', () => {
  it('reads quoted values, escaped quotes, commas and line breaks inside quotes', () => {
    const { records, problems } = parseCsvRecords('name,notes\n"Lovelace, Ada","said ""hi""\nand left"\nBo,plain\n');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, values: ['name', 'notes'] },
      { line: 2, values: ['Lovelace, Ada', 'said "hi"\nand left'] },
      { line: 4, values: ['Bo', 'plain'] },
    ]);
  });

  it('drops a byte-order mark and accepts CRLF and LF mixed in one file, keeping line numbers exact', () => {
    const { records } = parseCsvRecords('\uFEFFname,email\r\nAda,a@example.com\nBo,"b\r\nb"\r\n\r\nCy,c@example.com');
    expect(records).toEqual([
      { line: 1, values: ['name', 'email'] },
      { line: 2, values: ['Ada', 'a@example.com'] },
      { line: 3, values: ['Bo', 'b\nb'] },
      { line: 5, values: [''] },
      { line: 6, values: ['Cy', 'c@example.com'] },
    ]);
  });

  it('keeps a stray quote inside an unquoted value, and reports a quote that is never closed', () => {
    expect(parseCsvRecords('a,b\n5" disk,x\n').records[1]).toEqual({ line: 2, values: ['5" disk', 'x'] });
    const { records, problems } = parseCsvRecords('a,b\n1,2\n3,"open\n5,6\n');
    expect(records).toHaveLength(2);
    expect(problems).toEqual([{ line: 3, message: 'a quote opened in this row is never closed, so the file from line 3 on could not be read' }]);
  });

  it('reports a quoted value whose closing quote has text after it, rather than reading the lines up to the next quote as one value', () => {
    const text = 'name,email,notes\nAda,ada@example.com,"met at booth 4\nBob,bob@example.com,"wants a demo"\nCy,cy@example.com,hi\n';
    expect(parseCsvRecords(text)).toEqual({
      records: [
        { line: 1, values: ['name', 'email', 'notes'] },
        { line: 4, values: ['Cy', 'cy@example.com', 'hi'] },
      ],
      problems: [{ line: 2, message: expect.stringContaining('lines 2–3 would read as one row: none of them was read') }],
    });
    // Quotes right, a value may still span lines and start with a quote of its own.
    expect(parseCsvRecords('a,b\n"""Best"" Widgets\nLtd",x\n"5"" disk",y\n').records.slice(1)).toEqual([
      { line: 2, values: ['"Best" Widgets\nLtd', 'x'] },
      { line: 4, values: ['5" disk', 'y'] },
    ]);
  });

  it('writes report lines that any spreadsheet reads back, and defuses formulas', () => {
    expect(formatCsvLine([7, 'E-mail', 'has "quotes", commas'])).toBe('7,E-mail,"has ""quotes"", commas"\r\n');
    expect(formatCsvLine(['=HYPERLINK("x")', '-1'])).toBe(`"'=HYPERLINK(""x"")",'-1\r\n`);
    expect(parseCsvRecords(formatCsvLine(['a\nb', 'c,d'])).records[0].values).toEqual(['a\nb', 'c,d']);
  });
});

describe('mapImportColumns', () => {
  const targets = (header: string[]) => mapImportColumns(header, new Set()).columns.map((column) => column.target);

  it('maps header names to lead fields case-insensitively, with common aliases', () => {
    expect(targets(['Full Name', 'E-Mail', 'Mobile', 'Company Name', 'Job Title', 'COUNTRY', 'State/Province', 'Notes'])).toEqual([
      { kind: 'contact', field: 'name' },
      { kind: 'contact', field: 'email' },
      { kind: 'contact', field: 'phone' },
      { kind: 'contact', field: 'company' },
      { kind: 'contact', field: 'title' },
      { kind: 'contact', field: 'country' },
      { kind: 'contact', field: 'region' },
      { kind: 'contact', field: 'message' },
    ]);
    expect(targets(['first_name', 'Last Name', 'email_address', 'Tel'])).toEqual([{ kind: 'first_name' }, { kind: 'last_name' }, { kind: 'contact', field: 'email' }, { kind: 'contact', field: 'phone' }]);
  });

  it('reads UTM and ad-platform columns as attribution, and keeps everything else as answers', () => {
    expect(targets(['email', 'utm_source', 'UTM Campaign', 'campaign_id', 'Badge ID', 'Intérêt principal'])).toEqual([
      { kind: 'contact', field: 'email' },
      { kind: 'attribution', key: 'utm_source' },
      { kind: 'attribution', key: 'utm_campaign' },
      { kind: 'attribution', key: 'campaign_id' },
      { kind: 'answer', key: 'badge_id' },
      { kind: 'answer', key: 'intérêt_principal' },
    ]);
  });

  it('refuses a header without an email or phone column, with two columns for one field, or an unnamed column with values', () => {
    expect(mapImportColumns(['name', 'company'], new Set()).issues).toEqual([{ path: '(header)', message: expect.stringMatching(/^no column holds an email or a phone/) }]);
    expect(mapImportColumns(['Email', 'E-mail'], new Set()).issues).toEqual([{ path: 'E-mail', message: 'holds the same lead field "email" as column "Email"; keep one of them' }]);
    expect(mapImportColumns(['email', ''], new Set()).issues).toEqual([{ path: 'column 2', message: 'has values but no name in the header row' }]);
    expect(mapImportColumns(['email', ''], new Set([1])).issues).toEqual([]);
  });
});

describe('readLeadImportFile', () => {
  it('turns rows into contact, answers and attribution, joining first and last name, skipping blank lines', () => {
    const file = readOk('First Name,Last Name,E-mail,Phone,Booth,utm_source\n Ada , Lovelace ,ADA@example.com,(415) 555-0100,B12,expo\n\n,,,,,\nBo,,bo@example.com,,,\n');
    expect(file.rowsRead).toBe(2);
    expect(file.errors).toEqual([]);
    expect(file.rows).toEqual([
      { row: 2, contact: { name: 'Ada Lovelace', email: 'ADA@example.com', phone: '(415) 555-0100' }, answers: { booth: 'B12' }, touch: { utm_source: 'expo' } },
      { row: 5, contact: { name: 'Bo', email: 'bo@example.com' }, answers: {}, touch: {} },
    ]);
  });

  it('reads rows without the trailing commas the header has, or with more than it has, as long as they hold nothing', () => {
    const file = readOk('name,email,,\nAda,a@example.com\nBo,b@example.com,\nCy,c@example.com,,,\nDi\n');
    expect(file.rows.map((row) => [row.row, row.contact.email])).toEqual([
      [2, 'a@example.com'],
      [3, 'b@example.com'],
      [4, 'c@example.com'],
    ]);
    expect(file.errors).toEqual([{ row: 5, column: '(row)', message: 'has 1 values; the header has 4 columns (is a comma inside a value missing its quotes?)' }]);
  });

  it('keeps first and last name as answers when there is a name column too', () => {
    expect(readOk('name,first name,last name,email\nAda L.,Ada,Lovelace,a@example.com\n').rows[0]).toMatchObject({ contact: { name: 'Ada L.' }, answers: { first_name: 'Ada', last_name: 'Lovelace' } });
  });

  it('reports rows of the wrong length and over-long values as row errors, and leaves them out', () => {
    const file = readOk(`name,email,company\nAda,a@example.com,Acme, Inc.\nBo,b@example.com\nCy,c@example.com,Cyco,,\nDi,d@example.com,${'x'.repeat(201)}\n"${'n'.repeat(300)}",e@example.com,E\n`);
    expect(file.rowsRead).toBe(5);
    expect(file.rows.map((row) => row.row)).toEqual([4]); // trailing empty values are harmless
    expect(file.errors).toEqual([
      { row: 2, column: '(row)', message: 'has 4 values; the header has 3 columns (is a comma inside a value missing its quotes?)' },
      { row: 3, column: '(row)', message: 'has 2 values; the header has 3 columns (is a comma inside a value missing its quotes?)' },
      { row: 5, column: 'company', message: 'is 201 characters long; at most 200 are accepted' },
      { row: 6, column: 'name', message: 'is 300 characters long; at most 200 are accepted' },
    ]);
  });

  it('keeps a row without a usable contact (the intake makes it an invalid lead)', () => {
    expect(readOk('name,email,phone\nNo Contact,,\n').rows).toEqual([{ row: 2, contact: { name: 'No Contact' }, answers: {}, touch: {} }]);
  });

  it('refuses an empty file, a file without data rows, and one without a usable header', () => {
    expect(readLeadImportFile('')).toEqual({ ok: false, issues: [{ path: '(header)', message: expect.stringMatching(/^the first row must name the columns/) }] });
    expect(readLeadImportFile('\uFEFF\r\n')).toMatchObject({ ok: false, issues: [{ path: '(header)' }] });
    expect(readLeadImportFile('name,email\r\n\r\n')).toEqual({ ok: false, issues: [{ path: '(rows)', message: 'the file has a header row but no data rows' }] });
    expect(readLeadImportFile('foo,bar\n1,2\n')).toMatchObject({ ok: false, issues: [{ path: '(header)' }] });
  });
});

describe('fromLineIssues', () => {
  it("names a fromLine past the file's last row, rows and error lines alike, in a file of hundreds of thousands of rows", () => {
    const read = readLeadImportFile(`email\n${'a@example.com\n'.repeat(150_000)}`);
    if (!read.ok) throw new Error('expected a file');
    const file = { ...read.file, errors: [{ row: 150_002, column: '(row)', message: 'a bad last row' }] };
    expect(fromLineIssues(file, 150_002)).toEqual([]);
    expect(fromLineIssues(file, 150_003)).toEqual([{ path: 'fromLine', message: "is past the file's last row (line 150002)" }]);
  });
});

describe('resolveImportTarget', () => {
  it('credits the channel, and the campaign when given, as the import source', () => {
    expect(resolveImportTarget(config, { source: 'trade-shows', pool: 'emea-inbound' })).toEqual({ ok: true, target: { channel: 'trade-shows', poolId: 'emea-inbound', sourceId: 'trade-shows', defaultCountry: 'US' } });
    expect(resolveImportTarget(config, { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound', country: 'gb' })).toEqual({
      ok: true,
      target: { channel: 'trade-shows', campaign: 'automate-2026', poolId: 'americas-inbound', sourceId: 'automate-2026', defaultCountry: 'GB' },
    });
  });

  it('takes a campaign in any script, in NFC as leads keep their campaigns, of at most 128 characters', () => {
    const campaignOf = (campaign: string) => {
      const resolved = resolveImportTarget(config, { source: 'trade-shows', pool: 'nurture', campaign });
      return resolved.ok ? { campaign: resolved.target.campaign, sourceId: resolved.target.sourceId } : resolved.issues.map((issue) => issue.path);
    };
    expect(campaignOf('展会 2026')).toEqual({ campaign: '展会 2026', sourceId: '展会 2026' });
    expect(campaignOf('Messe München: Halle 4')).toEqual({ campaign: 'Messe München: Halle 4', sourceId: 'Messe München: Halle 4' });
    expect(campaignOf('Cafe\u0301 Expo')).toEqual({ campaign: 'Café Expo', sourceId: 'Café Expo' });
    expect(campaignOf('展'.repeat(128))).toMatchObject({ campaign: '展'.repeat(128) });
    for (const refused of ['展'.repeat(129), '\u0301Expo', '展会!', '展会\u3000春']) expect(campaignOf(refused)).toEqual(['campaign']);
  });

  it('names each bad parameter', () => {
    expect(resolveImportTarget(config, {})).toEqual({
      ok: false,
      issues: [
        { path: 'source', message: `is required: the channel the leads came from (one of ${channels})` },
        { path: 'pool', message: 'is required: the pool the leads go to (one of americas-inbound, emea-inbound, key-accounts, nurture)' },
      ],
    });
    expect(resolveImportTarget(config, { source: 'fax', pool: 'nope', campaign: '#1', country: 'XX' })).toEqual({
      ok: false,
      issues: [
        { path: 'source', message: `unknown channel "fax"; configured channels: ${channels}` },
        { path: 'campaign', message: 'must be 1-128 letters (of any script), digits, spaces or "_.:/-", starting with a letter or digit' },
        { path: 'pool', message: 'unknown pool "nope"; configured pools: americas-inbound, emea-inbound, key-accounts, nurture' },
        { path: 'country', message: 'must be an ISO 3166-1 alpha-2 country code such as "US"' },
      ],
    });
  });

  it('lets the pool be left out when the configuration has only one', () => {
    const single = demoConfiguration();
    single.pools = single.pools.slice(0, 1);
    expect(resolveImportTarget(single, { source: 'trade-shows' })).toMatchObject({ ok: true, target: { poolId: 'americas-inbound' } });
  });
});

describe('importSubmission', () => {
  const row = { row: 2, contact: { name: 'Ada', email: 'Ada@Example.com', phone: '020 7946 0958', country: 'GB' }, answers: { booth: 'B12' }, touch: { utm_source: 'expo' } };

  it('is an import-channel intake with the campaign as attribution and the row key as platform lead id', () => {
    expect(importSubmission(row, target)).toEqual({
      sourceKind: 'import',
      channel: 'trade-shows',
      poolId: 'americas-inbound',
      defaultCountry: 'GB', // the row's own country code reads its national phone number
      contact: row.contact,
      answers: { booth: 'B12' },
      attribution: { firstTouch: { campaign_id: 'automate-2026', utm_source: 'expo' }, lastTouch: { campaign_id: 'automate-2026', utm_source: 'expo' } },
      platformLeadId: importRowKey(row, target),
      sourceId: 'automate-2026',
      isTest: false,
    });
    expect(importSubmission({ ...row, contact: { email: 'a@example.com', country: 'Germany' } }, target).defaultCountry).toBe('US');
  });

  it('keys a row by its content: the same whatever the column order, email case or spacing, different for other content', () => {
    const key = importRowKey(row, target);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(importRowKey({ answers: { booth: 'B12' }, touch: { utm_source: 'expo' }, contact: { country: 'GB', phone: '020  7946 0958', email: 'ada@example.com', name: 'Ada' } }, target)).toBe(key);
    expect(importRowKey({ ...row, answers: { booth: 'B13' } }, target)).not.toBe(key);
    expect(importRowKey(row, { channel: 'website' })).not.toBe(key);
  });
});
