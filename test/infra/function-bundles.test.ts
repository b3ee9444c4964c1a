import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../support/demo-configuration';
import { budgetProblems, bundleFunctions, callsNoAwsService, zodProblems, type FunctionBundle } from '../support/function-bundles';

/** Every manifest function, bundled once as CDK bundles it (one esbuild run for all). */
const functions = manifestFunctions(demoConfiguration());
let bundles: FunctionBundle[];
let dispose: () => void = () => undefined;

beforeAll(async () => {
  ({ bundles, dispose } = await bundleFunctions(functions));
}, 600_000);
afterAll(() => dispose());

describe('function bundles', () => {
  it('every function stays in its budget besides the AWS SDK, and one that calls no AWS service carries no SDK', () => {
    const problems = functions.flatMap((definition) =>
      budgetProblems(
        bundles.find((bundle) => bundle.name === definition.name)!,
        definition,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('every bundle that carries zod carries zod/mini with its English messages, never zod classic or every locale', () => {
    expect(bundles.flatMap(zodProblems)).toEqual([]);
  });

  it('the zod check names a bundle with zod classic, every locale, or no English messages', () => {
    const getLead = bundles.find((bundle) => bundle.name === 'get-lead')!;
    const english = getLead.modules.find((module) => module.endsWith('node_modules/zod/v4/locales/en.js'))!;
    expect(zodProblems({ ...getLead, modules: [...getLead.modules, 'node_modules/zod/v4/classic/schemas.js', 'node_modules/zod/v4/locales/fr.js'] })).toEqual([
      expect.stringMatching(/^get-lead bundles zod classic \(node_modules\/zod\/v4\/classic\/schemas\.js, …\)/),
      expect.stringMatching(/^get-lead bundles 2 zod locales/),
    ]);
    expect(zodProblems({ ...getLead, modules: getLead.modules.filter((module) => module !== english) })).toEqual([expect.stringMatching(/^get-lead carries zod without its English messages/)]);
  });

  it('the budget check names a function that grew and says what to change', () => {
    const health = functions.find((definition) => definition.name === 'health')!;
    expect(callsNoAwsService(health)).toBe(true);
    const grown = { ...bundles.find((bundle) => bundle.name === 'health')!, bytes: 900 * 1024, sdkBytes: 300 * 1024 };
    const problems = budgetProblems(grown, health);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^health carries 600\.0 KB besides the AWS SDK, over its 150\.0 KB budget .*lambdaDependenciesOf/);
    expect(problems[1]).toMatch(/^health calls no AWS service .* carries 300\.0 KB of the AWS SDK/);
  });
});
