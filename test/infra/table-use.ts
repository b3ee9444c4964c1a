import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { FunctionDefinition } from '@leadflow/manifest';
import { functionBuildOptions } from '../../infra/function-bundling';

/** The table adapters: every DynamoDB command the functions send is built in one of these files. */
const adapterFolder = 'packages/platform/src/adapters';

/** A command, or an item of a batch or transaction, that removes items: what needs `DeleteItem` or `BatchWriteItem`. */
const deletingCommand = /new (DeleteCommand|DeleteItemCommand|BatchWriteCommand|BatchWriteItemCommand)\(|\bDelete: \{|\bDeleteRequest\b/;
/** Reads the whole table: what no table access level allows. */
const scanningCommand = /new (ScanCommand|ScanPaginator|ExecuteStatementCommand|BatchExecuteStatementCommand|ExecuteTransactionCommand)\(|\bpaginateScan\(/;

const classMember = /^ {2}(?:(?:public|private|protected|static|override|readonly) )*(?:async )?\*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(/;
const topLevelFunction = /^(?:export )?(?:async )?function\*? ?([A-Za-z_$][\w$]*)|^(?:export )?const ([A-Za-z_$][\w$]*) = (?:async )?\(/;

interface Member {
  name: string;
  /** A class member called as `.name(`, or a top-level function called as `name(`. */
  member: boolean;
  body: string;
}

/** The methods and top-level functions of one adapter file, each with its text, cut at each one's first line. */
function membersOf(source: string): Member[] {
  const members: Member[] = [];
  let current: Member | undefined;
  let inClass = false;
  for (const line of source.split('\n')) {
    const method = inClass ? classMember.exec(line) : null;
    const fn = inClass ? null : topLevelFunction.exec(line);
    if (/^(export )?(abstract )?class /.test(line)) [inClass, current] = [true, undefined];
    else if (method && !['if', 'for', 'while', 'switch', 'return', 'catch'].includes(method[1])) current = { name: method[1], member: true, body: '' };
    else if (fn) current = { name: fn[1] ?? fn[2], member: false, body: '' };
    if (current) {
      if (!members.includes(current)) members.push(current);
      current.body += `${line}\n`;
    }
    if (/^}/.test(line)) [inClass, current] = [false, undefined];
  }
  return members;
}

/** Whether `text` calls one of `members`: a class member by `.name(`, a function by `name(` (esbuild may suffix a renamed one with digits). */
function callsOneOf(text: string, members: readonly Member[]): Member | undefined {
  return members.find((candidate) => new RegExp(candidate.member ? `\\.${candidate.name}\\(` : `(?<![.\\w$])${candidate.name}\\d*\\(`).test(text));
}

/**
 * The methods and functions of the table adapters that remove items, directly or through another one
 * that does (in any adapter): e.g. `erasePerson`, whose transaction deletes the person's keys.
 */
export function deletingAdapterMembers(projectRoot: string): Member[] {
  const members = readdirSync(join(projectRoot, adapterFolder))
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => membersOf(readFileSync(join(projectRoot, adapterFolder, file), 'utf8')));
  const deleting = members.filter((member) => deletingCommand.test(member.body));
  for (let grew = true; grew;) {
    const more = members.filter((member) => !deleting.includes(member) && callsOneOf(member.body, deleting));
    deleting.push(...more);
    grew = more.length > 0;
  }
  return deleting.filter((member) => member.member === false || !/^ {2}(?:\w+ )*private /.test(member.body));
}

/** What one function's code does to its tables that the manifest must allow, and why. */
export interface TableUse {
  name: string;
  /** Why the function removes items (`calls erasePerson`, `Powertools Idempotency`), or undefined. */
  deletes?: string;
  /** Why the function scans or runs PartiQL, or undefined. */
  scans?: string;
}

/** esbuild's unminified output marks each module's code with a `// <path>` line. */
function modulesOf(bundle: string): Map<string, string> {
  const modules = new Map<string, string>();
  const parts = bundle.split(/^\/\/ (\S+)$/m);
  for (let index = 1; index < parts.length; index += 2) modules.set(parts[index], (modules.get(parts[index]) ?? '') + parts[index + 1]);
  return modules;
}

/**
 * What each function's code does to its tables, read from its bundle as `buildFunctionBundles` builds it
 * but unminified, so that each module's code can be told apart: only what tree-shaking kept, so a helper
 * of a shared module that a function never calls does not count. A function deletes when its own code
 * (outside the adapters) calls a deleting adapter member, removes items itself, or bundles Powertools
 * Idempotency's DynamoDB layer, which deletes its record when the handler fails.
 */
export function tableUseOfFunctions(definitions: readonly FunctionDefinition[], projectRoot: string): TableUse[] {
  const deleting = deletingAdapterMembers(projectRoot);
  const uses: TableUse[] = [];
  for (let start = 0; start < definitions.length; start += 8) {
    const batch = definitions.slice(start, start + 8);
    const { outputFiles } = buildSync({
      ...functionBuildOptions(projectRoot),
      minify: false,
      sourcemap: false,
      write: false,
      outdir: join(projectRoot, '.table-use-bundles'),
      entryPoints: batch.map((definition) => ({ in: definition.entry, out: definition.name })),
    });
    for (const definition of batch) {
      const output = outputFiles.find((file) => file.path.endsWith(`/${definition.name}.mjs`));
      if (!output) throw new Error(`esbuild wrote no bundle for ${definition.name}`);
      const modules = [...modulesOf(output.text)];
      const ours = modules.filter(([path]) => /^(functions|packages)\//.test(path) && !path.startsWith(`${adapterFolder}/`));
      const called = ours.map(([path, code]) => [path, callsOneOf(code, deleting)] as const).find(([, member]) => member);
      const removing = ours.find(([, code]) => deletingCommand.test(code));
      const idempotency = modules.some(([path]) => path.includes('@aws-lambda-powertools/idempotency/lib/esm/persistence/DynamoDBPersistenceLayer'));
      const scanning = modules.find(([path, code]) => /^(functions|packages)\//.test(path) && scanningCommand.test(code));
      uses.push({
        name: definition.name,
        deletes: called
          ? `${called[0]} calls ${called[1]!.name}`
          : removing
            ? `${removing[0]} removes items`
            : idempotency
              ? 'it bundles Powertools Idempotency, which deletes its record when the handler fails'
              : undefined,
        scans: scanning && `${scanning[0]} scans`,
      });
    }
  }
  return uses;
}
