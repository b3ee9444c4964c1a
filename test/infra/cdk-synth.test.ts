import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedConfiguration } from '@leadflow/domain';
import { manifestFunctions } from '@leadflow/manifest';
import { loadConfigurationFile, readValidatedConfigurationFile } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { projectRoot } from '../../infra/lead-app';
import { handlerAssets } from '../../infra/handler-assets';
import { bundledConfigurationFileName, functionTagKey } from '../../infra/lead-function';
import { resolveStage } from '../../infra/stage';
import { writeConfigurationWithUnknownPool } from './cdk-context';
import { demoSecretValues } from '../support/demo-secrets';

const run = promisify(execFile);
const functions = manifestFunctions(deployedConfiguration(demoConfiguration()));
/** Offline: no notices feed, no version check, no telemetry. */
const offlineEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-cdk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Lambda = { Type: string; Properties: { Tags?: Array<{ Key: string; Value: string }> }; Metadata: Record<string, unknown> };

/** The asset directories of a cloud assembly, as absolute paths. */
function assetDirectoriesOf(outdir: string): string[] {
  return readdirSync(outdir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('asset.'))
    .map((entry) => join(outdir, entry.name));
}

/** Every file under a directory, as absolute paths. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((relative) => join(directory, relative))
    .filter((path) => statSync(path).isFile());
}

describe('cdk synth (real esbuild bundling, offline)', () => {
  const outdir = join(scratch, 'cdk.out');
  // One real synth, shared by the tests that read its output. It bundles eight functions per esbuild
  // run; with an esbuild process per function it took two minutes, and four on a loaded shared machine.
  beforeAll(async () => {
    await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], { cwd: projectRoot, env: offlineEnv, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 });
  }, 550_000);

  it('bundles every manifest function with the validated configuration beside it', { timeout: 120_000 }, async () => {
    // No stage named: the default stage, dev, with config/stages/dev.json.
    const stage = resolveStage({}, projectRoot);
    const template = JSON.parse(readFileSync(join(outdir, `${stage.stackName}.template.json`), 'utf8')) as { Resources: Record<string, Lambda> };
    const bundles = new Map(
      Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .flatMap((resource) => {
          const name = resource.Properties.Tags?.find((tag) => tag.Key === functionTagKey)?.Value;
          return name ? [[name, resource.Metadata] as const] : [];
        }),
    );
    expect([...bundles.keys()].sort()).toEqual(functions.map((definition) => definition.name).sort());

    // The configuration as validated at synth, defaults applied: functions read it without the schema.
    const configuration = deployedConfiguration(loadConfigurationFile(stage.configurationFile));
    const assetDirectories: string[] = [];
    for (const [name, metadata] of bundles) {
      expect(metadata['aws:asset:is-bundled'], name).toBe(true);
      const assetDirectory = join(outdir, metadata['aws:asset:path'] as string);
      assetDirectories.push(assetDirectory);
      // Its own bundle, not another function's: the functions' assets differ only in what tryBundle copies.
      const entry = functions.find((definition) => definition.name === name)!.entry;
      const { sources } = JSON.parse(readFileSync(join(assetDirectory, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(
        sources.some((source) => source.endsWith(entry)),
        `${name}: bundle of ${entry}`,
      ).toBe(true);
      for (const file of ['index.mjs', 'index.mjs.map', bundledConfigurationFileName]) expect(existsSync(join(assetDirectory, file)), `${name}: ${file}`).toBe(true);
      expect(readValidatedConfigurationFile(join(assetDirectory, bundledConfigurationFileName)), name).toEqual(configuration);
      // Files the manifest says the handler reads at run time sit beside its bundle, unchanged.
      for (const { source, target } of handlerAssets(
        functions.find((definition) => definition.name === name)!,
        projectRoot,
      )) {
        expect(readFileSync(join(assetDirectory, target)).equals(readFileSync(source)), `${name}: ${target}`).toBe(true);
      }
    }

    // Every bundle must load as an ES module on Node: middy, Powertools and zod included, nothing left external.
    const loader = `for (const dir of JSON.parse(process.argv[1])) { const m = await import(dir + '/index.mjs'); if (typeof m.handler !== 'function') throw new Error(dir + ' exports no handler'); } console.log('loaded');`;
    const { stdout } = await run('node', ['--input-type=module', '-e', loader, JSON.stringify(assetDirectories)], { cwd: scratch, timeout: 60_000 });
    expect(stdout.trim().split('\n').at(-1)).toBe('loaded');
  });

  it("writes the nested monitoring stack's template, with the stage's alarms and dashboard, beside the stage's", () => {
    const nestedTemplates = readdirSync(outdir).filter((file) => file.endsWith('.nested.template.json'));
    expect(nestedTemplates).toHaveLength(1);
    const { Resources } = JSON.parse(readFileSync(join(outdir, nestedTemplates[0]), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(functions.length);
    expect(types.filter((type) => type === 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('puts no secret in any bundle: no demo secret value in any file of any asset', () => {
    const secretValues = Object.values(demoSecretValues()).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
    const assetDirectories = assetDirectoriesOf(outdir);
    expect(assetDirectories.length).toBeGreaterThanOrEqual(functions.length);
    const leaks: string[] = [];
    for (const directory of assetDirectories) {
      for (const file of filesUnder(directory)) {
        const content = readFileSync(file, 'latin1');
        for (const value of secretValues) if (content.includes(value)) leaks.push(`${file.slice(outdir.length + 1)} contains "${value}"`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("bundles the environment credentials Lambda provides, not the SDK's whole default chain (the alias in bundleAliases reaches every asset)", () => {
    const bundlesOfAssets = assetDirectoriesOf(outdir)
      .filter((directory) => existsSync(join(directory, 'index.mjs')))
      .map((directory) => readFileSync(join(directory, 'index.mjs'), 'utf8'));
    const withSdk = bundlesOfAssets.filter((code) => code.includes('AWS4-HMAC-SHA256'));
    expect(withSdk.length).toBeGreaterThan(functions.length / 2);
    // The chain's own last words, and the environment provider's.
    expect(withSdk.filter((code) => code.includes('Could not load credentials from any providers'))).toHaveLength(0);
    expect(withSdk.filter((code) => !code.includes('Unable to find environment variable credentials.'))).toHaveLength(0);
  });

  it('stops with the ConfigurationError alone, no stack trace, when the configuration is bad', { timeout: 180_000 }, async () => {
    const configFile = writeConfigurationWithUnknownPool(scratch);
    const failure = await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', `configFile=${configFile}`, '-o', join(scratch, 'bad.out')], { cwd: projectRoot, env: offlineEnv, timeout: 170_000 }).then(
      () => undefined,
      (error: Error & { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('forms[0].poolId: unknown pool "no-such-pool"');
    expect(failure?.stderr).not.toMatch(/^\s+at /m);
  });
});
