import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const rootDir = new URL('../../..', import.meta.url).pathname;
// Nothing listens on port 9 (discard): the command fails after reading the file, where a runtime or database would be needed.
const nowhere = 'http://127.0.0.1:9';

function cli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'packages/local-runtime/src/import-cli.ts', ...args, '--source', 'trade-shows', '--pool', 'americas-inbound'],
      { cwd: rootDir, env: { ...process.env, LEADS_LOG_LEVEL: 'SILENT' } },
      (error, _stdout, stderr) => done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
    );
  });
}

/** A file in a fresh directory, with a report left from an earlier run beside it. */
function fileWithStaleReport(name: string, content: Buffer | string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'leadflow-import-cli-')), name);
  writeFileSync(path, content);
  writeFileSync(`${path}.errors.csv`, 'row,column,message\r\n99,(row),from an earlier run\r\n');
  return path;
}

// "张三" as Excel writes it in a "CSV" on Chinese Windows (GBK); line 3 has a value more than the header.
const gbkFile = Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',zhang@example.com\nBo,bo@example.com,extra\n')]);

describe('npm run import: encodings', { timeout: 60_000 }, () => {
  it('refuses a GBK file as UTF-8 saying to give --encoding gbk, reads it with --encoding gbk, and refuses UTF-8 given as windows-1252', async () => {
    const path = fileWithStaleReport('gbk.csv', gbkFile);
    const refused = await cli([path, '--url', nowhere]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not UTF-8 \(line 2 is not\).*--encoding gbk if it is Chinese \(GBK\) text/s);
    // Read: the rows were checked (line 3's error is reported) before the missing runtime stopped the command.
    const read = await cli([path, '--encoding', 'gbk', '--url', nowhere]);
    expect(read.status).toBe(1);
    expect(read.stderr).not.toContain('UTF-8');
    expect(readFileSync(`${path}.errors.csv`, 'utf8')).toBe('row,column,message\r\n3,(row),has 3 values; the header has 2 columns (is a comma inside a value missing its quotes?)\r\n');

    const utf8 = fileWithStaleReport('utf8.csv', 'name,email\nJosé,jose@example.com\n');
    const mistaken = await cli([utf8, '--encoding', 'windows-1252', '--url', nowhere]);
    expect(mistaken.status).toBe(1);
    expect(mistaken.stderr).toContain('is UTF-8 (line 2 has UTF-8 text), not windows-1252, so it was not imported: leave out --encoding');
  });
});

describe('npm run import: <file>.errors.csv whenever the file was read', { timeout: 60_000 }, () => {
  const withRowError = 'name,email\nAda,ada@example.com\nBo,bo@example.com,extra\n';
  const report = 'row,column,message\r\n3,(row),has 3 values; the header has 2 columns (is a comma inside a value missing its quotes?)\r\n';

  it('lists the rows the file refuses when no runtime answers', async () => {
    const path = fileWithStaleReport('leads.csv', withRowError);
    const run = await cli([path, '--url', nowhere]);
    expect(run.status).toBe(1);
    expect(readFileSync(`${path}.errors.csv`, 'utf8')).toBe(report);
  });

  it('lists them when the database cannot be reached, and says where', async () => {
    const path = fileWithStaleReport('leads.csv', withRowError);
    const run = await cli([path, '--dynamodb-endpoint', nowhere]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Rows of the file that cannot be imported are listed in ${path}.errors.csv.`);
    expect(readFileSync(`${path}.errors.csv`, 'utf8')).toBe(report);
  });

  it('removes a stale report when the file is refused whole or none of its rows has an error', async () => {
    for (const content of [Buffer.from('name,email\nJos\xe9,jose@example.com\n', 'latin1'), 'name;email\nAda;ada@example.com\n', 'name,email\nAda,ada@example.com\n']) {
      const path = fileWithStaleReport('leads.csv', content);
      expect((await cli([path, '--url', nowhere])).status).toBe(1);
      expect(existsSync(`${path}.errors.csv`)).toBe(false);
    }
  });
});
