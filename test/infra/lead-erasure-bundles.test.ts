import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../support/demo-configuration';
import { bundleFunctions, type FunctionBundle } from '../support/function-bundles';

/** Text only the erasure's code holds (`OutboxBacklogError`'s message), which minifying keeps. */
const erasureCode = 'finding its unpublished events would read more than';

let bundles: FunctionBundle[];
let dispose: () => void = () => undefined;
beforeAll(() => {
  ({ bundles, dispose } = bundleFunctions(manifestFunctions(demoConfiguration())));
}, 600_000);
afterAll(() => dispose());

describe('the lead erasure in the function bundles', () => {
  it('is carried by the functions that erase a person (erase-lead, the platform intakes) and by no other lead-store user', () => {
    const carrying = bundles.map((bundle) => {
      const code = readFileSync(bundle.file, 'utf8');
      return { name: bundle.name, carriesErasure: code.includes(erasureCode), erases: /\.erasePerson\(/.test(code) };
    });
    expect(carrying.filter(({ carriesErasure, erases }) => carriesErasure !== erases)).toEqual([]);
    // Not vacuous: some functions erase, and some that store leads do not.
    expect(carrying.filter(({ erases }) => erases).map(({ name }) => name)).toContain('erase-lead');
    expect(carrying.find(({ name }) => name === 'get-lead')).toMatchObject({ carriesErasure: false });
  });
});
