import { beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions, tableAccessActions } from '@leadflow/manifest';
import { projectRoot } from '../../infra/lead-app';
import { demoConfiguration } from '../support/demo-configuration';
import { deletingAdapterMembers, tableUseOfFunctions, type TableUse } from './table-use';

/** Every manifest function; its table access level becomes its IAM grant (`infra/lead-function.ts`). */
const functions = manifestFunctions(demoConfiguration());
let uses: TableUse[];

beforeAll(() => {
  uses = tableUseOfFunctions(functions, projectRoot);
}, 600_000);

describe('table access in the manifest', () => {
  it('allows no level to scan or run PartiQL, and only readWriteDelete to delete', () => {
    const all = Object.values(tableAccessActions).flat();
    expect(all.filter((action) => /^dynamodb:(Scan|PartiQL)/.test(action))).toEqual([]);
    for (const [level, actions] of Object.entries(tableAccessActions)) {
      expect(
        actions.some((action) => action === 'dynamodb:DeleteItem' || action === 'dynamodb:BatchWriteItem'),
        level,
      ).toBe(level === 'readWriteDelete');
    }
    expect(tableAccessActions.read.filter((action) => /Put|Update|Delete|Write/.test(action))).toEqual([]);
  });

  it('finds the adapter methods that delete, however they delete', () => {
    const names = deletingAdapterMembers(projectRoot).map((member) => member.name);
    // A DeleteCommand, a BatchWriteItem of DeleteRequests, a transaction's Delete item, and through a private method.
    expect(names).toEqual(expect.arrayContaining(['forget', 'markPublished', 'markSent', 'erasePerson', 'ingestLead']));
    expect(names).not.toContain('getLead');
    expect(names).not.toContain('eraseOnce');
  });

  it.each(functions.map((definition) => [definition.name, definition] as const))('%s may delete from its tables exactly when its code deletes, and scans nothing', (name, definition) => {
    const use = uses.find((candidate) => candidate.name === name)!;
    const declared = Object.values(definition.tables).includes('readWriteDelete');
    expect(use.deletes !== undefined, use.deletes ? `${name} deletes (${use.deletes}): give it readWriteDelete` : `${name} deletes nothing: give it readWrite`).toBe(declared);
    expect(use.scans, `${name}`).toBeUndefined();
  });
});
