import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { manifestFunctions } from '@leadflow/manifest';
import { functionBuildOptions } from '../../infra/function-bundling';
import { projectRoot } from '../../infra/lead-app';
import { demoConfiguration } from '../support/demo-configuration';
import { bundleContents, bundleFunctions, nonSdkBudgetBytes } from '../support/function-bundles';
import type { Figure } from './figure';

const runsPerModule = 5;
const captureFunction = 'capture-form-submission';

/** Wall time of a fresh Node process that imports `file` and exits: what a cold start pays before the handler runs, start-up included. */
function importMilliseconds(file: string): number {
  const script = `await import(${JSON.stringify(file)});`;
  const begin = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - begin) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median over `runsPerModule` fresh processes per file, the files taken in turn so that load drifts hit all alike. */
function medianImportTimes(files: string[]): number[] {
  const times = files.map(() => [] as number[]);
  for (let run = 0; run < runsPerModule; run += 1) files.forEach((file, index) => times[index].push(importMilliseconds(file)));
  return times.map(median);
}

/**
 * Cold start per function: its bundle as deployed (size, the AWS SDK's share, size besides the SDK
 * against the 150 KB budget) and the time a fresh Node process takes to import it against an empty
 * module in the same run. For the capture function the SDK is also left external (as the Lambda runtime
 * would provide it) to compare both choices by import time.
 */
export async function coldStartBenchmark(): Promise<Figure[]> {
  const functions = manifestFunctions(demoConfiguration());
  const bundled = bundleFunctions(functions);
  const external = bundleFunctions(
    functions.filter((definition) => definition.name === captureFunction),
    { externalSdk: true },
  );
  try {
    const empty = join(bundled.directory, 'empty.mjs');
    writeFileSync(empty, '');
    const files = [empty, ...bundled.bundles.map((bundle) => bundle.file), external.bundles[0].file];
    const [emptyMs, ...times] = medianImportTimes(files);
    const externalMs = times.pop()!;
    const baseline = { name: 'empty module import', value: emptyMs };
    const figures: Figure[] = [{ name: 'cold start: empty module import', value: emptyMs, unit: 'ms' }];
    bundled.bundles.forEach((bundle, index) => {
      const isCapture = bundle.name === captureFunction;
      figures.push(
        { name: `cold start: ${bundle.name} bundle`, value: bundle.bytes, unit: 'bytes' },
        { name: `cold start: ${bundle.name} AWS SDK share`, value: bundle.sdkBytes, unit: 'bytes' },
        { name: `cold start: ${bundle.name} besides the SDK`, value: bundle.bytes - bundle.sdkBytes, unit: 'bytes', budget: nonSdkBudgetBytes },
        { name: `cold start: ${bundle.name} import`, value: times[index], unit: 'ms', baseline, ...(isCapture ? { target: '≤ 2× empty module', met: times[index] <= 2 * emptyMs } : {}) },
      );
    });
    figures.push({ name: `cold start: ${captureFunction} import, SDK left to the runtime`, value: externalMs, unit: 'ms', baseline });
    figures.push(libraryFloor(bundled.directory));
    return figures;
  } finally {
    bundled.dispose();
    external.dispose();
  }
}

/**
 * The size besides the SDK of `test/support/library-floor-handler.ts`, bundled as functions are: the
 * libraries every function that reads a phone number carries before any intake code of ours.
 */
function libraryFloor(directory: string): Figure {
  const outfile = join(directory, 'library-floor', 'index.mjs');
  const { metafile } = buildSync({ ...functionBuildOptions(projectRoot), entryPoints: ['test/support/library-floor-handler.ts'], outfile, metafile: true });
  const contents = bundleContents(metafile.outputs[relative(projectRoot, outfile)], metafile.inputs);
  const libraries = contents.largestPackages.map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(1)} KB`).join(', ');
  return {
    name: 'bundle floor of a phone-reading HTTP handler (zod/mini, libphonenumber-js, Powertools Logger, middy; no intake code) besides the SDK',
    value: contents.bytes - contents.sdkBytes,
    unit: 'bytes',
    budget: nonSdkBudgetBytes,
    note: libraries,
  };
}
