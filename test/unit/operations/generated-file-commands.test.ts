import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocumentFile, openApiDocumentText, openApiUsage, runOpenApi } from '../../../scripts/openapi';
import { phoneMetadataFile, phoneMetadataText, phoneMetadataUsage, runPhoneMetadata } from '../../../scripts/phone-metadata';
import { recordingTerminal } from './operator-fakes';

const rootDir = new URL('../../..', import.meta.url).pathname;

const commands = [
  { name: 'openapi', script: 'scripts/openapi.ts', run: runOpenApi, usage: openApiUsage, file: openApiDocumentFile, text: openApiDocumentText },
  { name: 'phone-metadata', script: 'scripts/phone-metadata.ts', run: runPhoneMetadata, usage: phoneMetadataUsage, file: phoneMetadataFile, text: phoneMetadataText },
];

/** Runs the command with a terminal and a file writer that record what they were given. */
async function run(command: (typeof commands)[number], argv: string[]) {
  const terminal = recordingTerminal();
  const written: Array<[URL, string]> = [];
  const exit = await command.run(argv, { terminal, write: (file, text) => void written.push([file, text]) });
  return { exit, terminal, written };
}

describe.each(commands)('npm run $name', (command) => {
  it.each([['--help'], ['-h']])('answers %s with the usage on stdout, exit 0, and writes nothing', async (flag) => {
    const { exit, terminal, written } = await run(command, [flag]);
    expect(exit).toBe(0);
    expect(terminal.printed).toEqual([command.usage]);
    expect(terminal.warned).toEqual([]);
    expect(written).toEqual([]);
  });

  it.each([[['--out', 'elsewhere.json']], [['extra']], [['--bogus']]])('refuses %j as a mistake (exit 2, the usage on stderr) and writes nothing', async (argv) => {
    const { exit, terminal, written } = await run(command, argv);
    expect(exit).toBe(2);
    expect(terminal.warned).toEqual([`npm run ${command.name} takes no arguments, not "${argv.join(' ')}"`, command.usage]);
    expect(terminal.printed).toEqual([]);
    expect(written).toEqual([]);
  });

  it('writes its file without arguments', async () => {
    const { exit, terminal, written } = await run(command, []);
    expect(exit).toBe(0);
    expect(written).toEqual([[command.file, await command.text()]]);
    expect(terminal.printed).toEqual([`Wrote ${command.file.pathname}`]);
  });

  it('as a script, leaves its file untouched on --help and on a mistake', { timeout: 60_000 }, async () => {
    const before = statSync(command.file).mtimeMs;
    const script = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string }>((done) =>
        execFile(process.execPath, ['--import', 'tsx', command.script, ...args], { cwd: rootDir }, (error, stdout) => done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout })),
      );
    const help = await script(['--help']);
    expect(help).toEqual({ status: 0, stdout: `${command.usage}\n` });
    expect((await script(['--bogus'])).status).toBe(2);
    expect(statSync(command.file).mtimeMs).toBe(before);
  });
});
