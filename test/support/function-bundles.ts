import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { FunctionDefinition } from '@leadflow/manifest';
import { functionBundling } from '../../infra/function-bundling';
import { projectRoot } from '../../infra/lead-app';
import { handlerAssets } from '../../infra/lead-function';

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
 * `dispose` removes. `externalSdk` leaves the AWS SDK to the Lambda runtime instead, for comparison: the
 * bundles then import it from the project's `node_modules`, linked beside them.
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
    // The files a handler reads at run time go beside its bundle, as CDK's afterBundling hook puts them.
    for (const { source, target } of handlerAssets(definition, projectRoot)) {
      mkdirSync(dirname(join(dirname(file), target)), { recursive: true });
      copyFileSync(source, join(dirname(file), target));
    }
    const packages = bytesByPackage(output);
    const sdkBytes = [...packages].filter(([name]) => sdkPackage.test(`${name}/`)).reduce((sum, [, bytes]) => sum + bytes, 0);
    const largestPackages = [...packages]
      .filter(([name]) => !sdkPackage.test(`${name}/`))
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes);
    return { name: definition.name, entry: definition.entry, file, bytes: output.bytes, sdkBytes, largestPackages };
  });
  // Left external, the SDK must resolve as the Lambda runtime's copy would: from a node_modules beside the bundles.
  if (options.externalSdk) symlinkSync(join(projectRoot, 'node_modules'), join(directory, 'node_modules'), 'dir');
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

/** What every function bundle may carry besides the AWS SDK. */
export const nonSdkBudgetBytes = 150 * 1024;

/**
 * Functions still over the 150 KB budget, each held to the ceiling it has today (bytes besides the SDK)
 * so it cannot grow while the remaining causes are removed. The configuration schema and Powertools
 * Parser's own envelopes are out of every bundle; what is left: zod classic (about 95 KB in every function
 * that validates a request, an event or its settings; `zod/mini` would carry about 20 KB, which means moving
 * the domain's schemas to it) and libphonenumber-js with its 'min' metadata (about 118 KB, in the functions
 * that normalise a phone number or derive a lead's country from one: intake, import, lookup, assignment).
 * Take a function off this list when it comes under the budget; the test says when.
 */
export const interimNonSdkCeilings: Readonly<Record<string, number>> = {
  'capture-form-submission': 330 * 1024,
  'get-lead': 180 * 1024,
  'list-lead-consents': 180 * 1024,
  'export-lead': 190 * 1024,
  'erase-lead': 180 * 1024,
  'relay-outbox': 170 * 1024,
  'assign-lead': 320 * 1024,
  'notify-rep': 240 * 1024,
  'set-rep-availability': 180 * 1024,
  'receive-meta-leads': 360 * 1024,
  'receive-google-leads': 330 * 1024,
  'receive-linkedin-leads': 360 * 1024,
  'receive-tiktok-leads': 360 * 1024,
  'receive-generic-webhook': 330 * 1024,
  'retry-pending-fetches': 350 * 1024,
  'lookup-lead': 300 * 1024,
  'import-leads': 350 * 1024,
  'list-pool-leads': 180 * 1024,
  'claim-lead': 190 * 1024,
  'release-lead': 180 * 1024,
  'assign-lead-manually': 190 * 1024,
  'lock-lead': 190 * 1024,
  'unlock-lead': 190 * 1024,
  'log-lead-activity': 190 * 1024,
  'change-lead-status': 190 * 1024,
  'convert-lead': 190 * 1024,
  'list-my-leads': 180 * 1024,
  'tag-lead': 190 * 1024,
  'untag-lead': 190 * 1024,
  'track-follow-up-due': 190 * 1024,
  'run-follow-up-rules': 190 * 1024,
  'show-one-tap-action': 200 * 1024,
  'perform-one-tap-action': 200 * 1024,
  'sweep-notification-sends': 180 * 1024,
  'notify-offered-reps': 200 * 1024,
  'notify-offer-taken': 190 * 1024,
  'expire-lead-offers': 320 * 1024,
  'record-spend': 180 * 1024,
  'track-channel-roi': 190 * 1024,
  'queue-conversion-feedback': 180 * 1024,
  'deliver-webhook': 190 * 1024,
  'retry-webhook-deliveries': 180 * 1024,
  'send-nurture-emails': 190 * 1024,
  'show-unsubscribe': 190 * 1024,
  'unsubscribe-lead': 190 * 1024,
};

/** A function that calls no AWS service, by its manifest entry: no table, bus, email, SMS, secret or report bucket. */
export function callsNoAwsService(definition: FunctionDefinition): boolean {
  return Object.keys(definition.tables).length === 0 && !definition.publishesEvents && !definition.sendsEmail && !definition.sendsSms && !definition.writesReports && (definition.secrets ?? []).length === 0;
}

/** What is wrong with a bundle against its budget, said so the reader knows what to change; none when it is in budget. */
export function budgetProblems(bundle: FunctionBundle, definition: FunctionDefinition): string[] {
  const problems: string[] = [];
  const nonSdk = bundle.bytes - bundle.sdkBytes;
  const ceiling = interimNonSdkCeilings[bundle.name] ?? nonSdkBudgetBytes;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const largest = bundle.largestPackages
    .slice(0, 5)
    .map((entry) => `${entry.name} ${kb(entry.bytes)}`)
    .join(', ');
  if (nonSdk > ceiling) {
    problems.push(
      `${bundle.name} carries ${kb(nonSdk)} besides the AWS SDK, over its ${kb(ceiling)} budget (largest: ${largest}). ` +
        `Import from '@leadflow/platform' only what the handler uses, build dependencies with lambdaDependenciesOf({ …: providers.… }) from '@leadflow/platform/lambda-providers' ` +
        `for just the dependencies it uses, write zod imports as "import * as z from 'zod'", and keep Powertools Parser envelopes out of HTTP handlers (CONTRIBUTING.md, "Staying in budget").`,
    );
  }
  if (interimNonSdkCeilings[bundle.name] !== undefined && nonSdk <= nonSdkBudgetBytes) {
    problems.push(`${bundle.name} now carries ${kb(nonSdk)}, within the ${kb(nonSdkBudgetBytes)} budget: take it off interimNonSdkCeilings in test/support/function-bundles.ts.`);
  }
  if (callsNoAwsService(definition) && bundle.sdkBytes > 0) {
    problems.push(
      `${bundle.name} calls no AWS service (its manifest entry has no table, bus, email, SMS, secret or report access) but carries ${kb(bundle.sdkBytes)} of the AWS SDK: ` +
        `it imports a module that builds a client, most often a provider it does not need.`,
    );
  }
  return problems;
}
