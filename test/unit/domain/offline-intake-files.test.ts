import { describe, expect, it } from 'vitest';
import { decodeText, parseSpendCsv, readLeadImportFile, textEncodingNamed } from '@leadflow/domain';

// "张三" and "北京" as Excel writes them in a "CSV" on Chinese Windows (GBK).
const zhangSanGbk = [0xd5, 0xc5, 0xc8, 0xfd];
const beijingGbk = [0xb1, 0xb1, 0xbe, 0xa9];
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('decodeText: GBK, byte-order marks, and UTF-8 asked to be read as windows-1252', () => {
  it('reads GBK (GB18030) under each of its labels, and names the line of bytes that are not GBK', () => {
    for (const label of ['gbk', 'GB2312', 'cp936', 'gb18030']) expect(textEncodingNamed(label)).toBe('gb18030');
    const file = bytes('name,email,company\n', zhangSanGbk, ',zhang@example.com,', beijingGbk, '\n');
    expect(decodeText(file, 'gb18030')).toEqual({ ok: true, text: 'name,email,company\n张三,zhang@example.com,北京\n' });
    expect(decodeText(file)).toEqual({ ok: false, reason: 'undecodable', encoding: 'utf-8', line: 2 });
    // 0x81 opens a two-byte character; a line break cannot end it.
    expect(decodeText(bytes('name\nok\n', [0x81], '\n'), 'gb18030')).toEqual({ ok: false, reason: 'undecodable', encoding: 'gb18030', line: 3 });
  });

  it('reads bytes starting with the UTF-8 byte-order mark as UTF-8 whatever was asked, so the first column keeps its name', () => {
    const file = bytes([0xef, 0xbb, 0xbf], 'name,email\nJosé,jose@example.com\n');
    for (const encoding of ['utf-8', 'windows-1252', 'gb18030'] as const) {
      const decoded = decodeText(file, encoding);
      expect(decoded.ok && readLeadImportFile(decoded.text)).toMatchObject({ ok: true, file: { rows: [{ contact: { name: 'José', email: 'jose@example.com' } }] } });
    }
  });

  it('refuses UTF-8 beyond ASCII asked to be read as windows-1252, naming the line, rather than storing "JosÃ©"', () => {
    expect(decodeText(bytes('name,email\nAda,ada@example.com\nJosé,jose@example.com\n'), 'windows-1252')).toEqual({ ok: false, reason: 'is-utf-8', line: 3 });
    // Plain ASCII is the same text either way; real Latin-1 is still read.
    expect(decodeText(bytes('name,email\nAda,ada@example.com\n'), 'windows-1252')).toEqual({ ok: true, text: 'name,email\nAda,ada@example.com\n' });
    expect(decodeText(Buffer.from('name\nJosé\n', 'latin1'), 'windows-1252')).toEqual({ ok: true, text: 'name\nJosé\n' });
  });
});

describe('files that are not comma-separated lines are refused saying so', () => {
  const context = { currency: 'USD', channelIds: new Set(['meta-ads']), channelRoi: { exchangeRates: [] }, timeZone: 'UTC', now: new Date('2026-03-11T12:00:00Z') };
  const semicolons = { path: '(header)', message: "the file seems to use ';' between values: save it as CSV with commas" };
  const crOnly = { path: '(file)', message: expect.stringMatching(/^the lines of the file end with CR alone/) };

  it('lead import: semicolons between values (European Excel) and CR-only line endings (old Mac)', () => {
    expect(readLeadImportFile('name;email;phone\nAda;ada@example.com;+1 415 555 0134\n')).toEqual({ ok: false, issues: [semicolons] });
    expect(readLeadImportFile('Name;E-mail;\r\nAda;ada@example.com;\r\n')).toEqual({ ok: false, issues: [semicolons] });
    expect(readLeadImportFile('name,email\rAda,ada@example.com\rBo,bo@example.com\r')).toEqual({ ok: false, issues: [crOnly] });
  });

  it('spend import: the same', () => {
    expect(parseSpendCsv('date;channel;campaign;amount;currency\n2026-03-10;meta-ads;spring;10,00;USD\n', context)).toEqual({ ok: false, issues: [semicolons] });
    expect(parseSpendCsv('date,channel,campaign,amount,currency\r2026-03-10,meta-ads,spring,10.00,USD\r', context)).toEqual({ ok: false, issues: [crOnly] });
  });

  it('a comma-separated file with a semicolon in a header or CR inside a quoted value is read as before', () => {
    expect(readLeadImportFile('email,booth;hall\nada@example.com,x\n')).toMatchObject({ ok: true, file: { rows: [{ contact: { email: 'ada@example.com' }, answers: { booth_hall: 'x' } }] } });
    expect(readLeadImportFile('email,notes\nada@example.com,"a\rb"\n')).toMatchObject({ ok: true, file: { rows: [{ contact: { message: 'a\rb' } }] } });
  });
});

describe('parseSpendCsv: header columns and Excel leftovers, as the lead import reads them', () => {
  const context = { currency: 'USD', channelIds: new Set(['meta-ads']), channelRoi: { exchangeRates: [] }, timeZone: 'UTC', now: new Date('2026-03-11T12:00:00Z') };
  const spring = { day: '2026-03-10', channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 1000 }] };

  it('refuses a column named twice rather than taking the last one', () => {
    expect(parseSpendCsv('date,channel,campaign,amount,currency,Amount\n2026-03-10,meta-ads,spring,10.00,USD,99.00\n', context)).toEqual({
      ok: false,
      issues: [{ path: '(header)', message: 'column "amount" is named twice (columns 4 and 6); keep one of them' }],
    });
  });

  it('skips lines of commas only and an unnamed column without values (a trailing comma), as Excel leaves them', () => {
    expect(parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,spring,10.00,USD\n,,,,\n , ,,,\n', context)).toEqual({ ok: true, spend: [spring], rows: 1 });
    expect(parseSpendCsv('date,channel,campaign,amount,currency,\n2026-03-10,meta-ads,spring,10.00,USD,\n,,,,,\n', context)).toEqual({ ok: true, spend: [spring], rows: 1 });
    // Extra empty values at a row's end are leftovers too; a missing value is not.
    expect(parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,spring,10.00,USD,,\n', context)).toEqual({ ok: true, spend: [spring], rows: 1 });
    expect(parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,spring,10.00\n', context)).toEqual({ ok: false, issues: [{ path: 'line 2', message: 'has 4 values; the header has 5' }] });
  });

  it('refuses an unnamed column that holds values', () => {
    expect(parseSpendCsv('date,channel,campaign,amount,currency,\n2026-03-10,meta-ads,spring,10.00,USD,note\n', context)).toEqual({
      ok: false,
      issues: [{ path: '(header)', message: 'column 6 has values but no name in the header row' }],
    });
  });
});
