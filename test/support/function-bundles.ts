import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { FunctionDefinition } from '@leadflow/manifest';
import { functionBundling } from '../../infra/function-bundling';
import { projectRoot } from '../../infra/lead-app';

/** One function's bundle as deployed: its minified size and how much of it is the AWS SDK. */
export interface FunctionBundle {
  name: string;
  entry: string;
  /** The bundle file, while the directory it was built in exists. */
  file: string;
  bytes: number;
  /** Bytes of the bundle that come from the AWS SDK (`@aws-sdk/*`, `@smithy/*`, `@aws-crypto/*`). */
  sdkBytes: number;
  /** The non-SDK bytes by package (`@leadflow/platform`, `zod`, …), largest first: what to look at when a bundle grows. */
  largestPackages: Array<{ name: string; bytes: number }>;
}

const sdkPackage = /^@(aws-sdk|smithy|aws-crypto)\//;

/**
 * Bundles every function the way `NodejsFunction` does with `functionBundling` (the same esbuild
 * flags CDK passes on its command line), all in one esbuild run, into a temporary directory that
 * `dispose` removes. `externalSdk` leaves the AWS SDK to the Lambda runtime instead, for comparison.
 */
export async function bundleFunctions(definitions: readonly FunctionDefinition[], options: { externalSdk?: boolean } = {}): Promise<{ bundles: FunctionBundle[]; directory: string; dispose: () => void }> {
  const directory = mkdtempSync(join(tmpdir(), 'leadflow-bundles-'));
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: definitions.map((definition) => definition.entry),
    outdir: directory,
    outbase: projectRoot,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: functionBundling.format,
    target: functionBundling.target,
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourceMap,
    sourcesContent: functionBundling.sourcesContent,
    mainFields: functionBundling.mainFields,
    external: options.externalSdk ? ['@aws-sdk/*', '@smithy/*'] : functionBundling.externalModules,
    banner: { js: functionBundling.banner },
    tsconfig: join(projectRoot, 'tsconfig.json'),
    metafile: true,
    logLevel: 'silent',
  });
  const bundles = definitions.map((definition) => {
    const file = join(directory, definition.entry.replace(/\.ts$/, '.mjs'));
    const output = result.metafile.outputs[relative(projectRoot, file)];
    if (!output) throw new Error(`esbuild wrote no bundle for ${definition.name} (${definition.entry})`);
    const packages = bytesByPackage(output);
    const sdkBytes = [...packages].filter(([name]) => sdkPackage.test(`${name}/`)).reduce((sum, [, bytes]) => sum + bytes, 0);
    const largestPackages = [...packages]
      .filter(([name]) => !sdkPackage.test(`${name}/`))
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes);
    return { name: definition.name, entry: definition.entry, file, bytes: output.bytes, sdkBytes, largestPackages };
  });
  return { bundles, directory, dispose: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Output bytes grouped by npm package, or by workspace package (`@leadflow/…`) and `functions/<name>` for our own code. */
function bytesByPackage(output: Metafile['outputs'][string]): Map<string, number> {
  const packages = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(path);
    packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
  }
  return packages;
}

function packageOf(path: string): string {
  const inNodeModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.slice(path.lastIndexOf('node_modules/')));
  if (inNodeModules) return inNodeModules[1];
  const workspace = /^packages\/([^/]+)\//.exec(path);
  if (workspace) return `@leadflow/${workspace[1]}`;
  const handler = /^functions\/([^/]+)\//.exec(path);
  return handler ? `functions/${handler[1]}` : path;
}
