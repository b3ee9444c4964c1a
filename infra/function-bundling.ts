import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import type { FunctionDefinition } from '@leadflow/manifest';
import { handlerAssets, handlerFolder } from './handler-assets';

/**
 * Modules every bundle takes from elsewhere. Lambda hands a function its credentials in the environment,
 * so the SDK's default chain is cut to that link (see the module).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': fileURLToPath(new URL('../packages/platform/src/lambda-environment-credentials.ts', import.meta.url)),
};

/** Each function's bundle within a build: `<function name>/index.mjs`, its source map beside it. */
const bundleName = 'index';
export const bundleFileName = `${bundleName}.mjs`;

/**
 * How every manifest function is bundled. CDK's assets, the bundle budget test and `npm run bench` all
 * build through `buildFunctionBundles`, so the sizes they report are the sizes that deploy.
 * `externalSdk` leaves the AWS SDK to the Lambda runtime instead: the benchmark's comparison only.
 */
export function functionBuildOptions(projectRoot: string, options: { externalSdk?: boolean } = {}): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // Bundle the AWS SDK too: the client versions the tests ran are the versions that deploy.
    external: options.externalSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
    alias: { ...bundleAliases },
    // CommonJS dependencies bundled into an ES module still call `require` for Node built-ins.
    banner: { js: "import { createRequire as __leadflowCreateRequire } from 'node:module'; const require = __leadflowCreateRequire(import.meta.url);" },
    tsconfig: join(projectRoot, 'tsconfig.json'),
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  };
}

/**
 * Functions bundled per esbuild run. One run parses the code they share once; measured here for the 64
 * functions, runs of 8 took 11 s with esbuild at 660 MB at most, one run of all 64 took 15 s at 2.4 GB,
 * and one run per function 36 s.
 */
const functionsPerBuild = 8;

/**
 * Bundles `definitions` into `outdir/<name>/index.mjs`, eight functions per esbuild run, each with the
 * files its handler reads at run time (the manifest's `assets`) beside it.
 *
 * @throws the esbuild error naming the file and line, when a handler does not build.
 */
export function buildFunctionBundles(definitions: readonly FunctionDefinition[], projectRoot: string, outdir: string, options: { externalSdk?: boolean } = {}): Metafile {
  const metafile: Metafile = { inputs: {}, outputs: {} };
  for (let start = 0; start < definitions.length; start += functionsPerBuild) {
    const built = buildSync({
      ...functionBuildOptions(projectRoot, options),
      entryPoints: definitions.slice(start, start + functionsPerBuild).map((definition) => ({ in: definition.entry, out: `${definition.name}/${bundleName}` })),
      outdir,
      metafile: true,
    }).metafile;
    Object.assign(metafile.inputs, built.inputs);
    Object.assign(metafile.outputs, built.outputs);
  }
  for (const definition of definitions) {
    for (const { source, target } of handlerAssets(definition, projectRoot)) {
      const destination = join(outdir, definition.name, target);
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(source, destination);
    }
  }
  return metafile;
}

/**
 * The bundles of one stack's functions, built together the first time CDK asks for one (never when
 * the stack's assets are not bundled, as in the infrastructure tests), in a directory removed when
 * the process exits.
 */
export class StackFunctionBundles {
  private directory?: string;

  constructor(
    private readonly definitions: readonly FunctionDefinition[],
    private readonly projectRoot: string,
  ) {}

  /** The folder of `definition`'s handler source. */
  handlerFolderOf(definition: FunctionDefinition): string {
    return handlerFolder(definition, this.projectRoot);
  }

  /** The directory holding `definition`'s bundle and its assets. */
  directoryOf(definition: FunctionDefinition): string {
    if (!this.directory) {
      const directory = mkdtempSync(join(tmpdir(), 'leadflow-function-bundles-'));
      process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
      buildFunctionBundles(this.definitions, this.projectRoot, directory);
      this.directory = directory;
    }
    return join(this.directory, definition.name);
  }
}
