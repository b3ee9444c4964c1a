import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { FunctionDefinition } from '@leadflow/manifest';

/** The folder of a handler's source, where its assets are read from. */
export function handlerFolder(definition: FunctionDefinition, projectRoot: string): string {
  return join(projectRoot, dirname(definition.entry));
}

/**
 * The files a handler reads at run time (the manifest's `assets`), from its own folder to the same
 * relative place beside the bundle, so `new URL('./file', import.meta.url)` works locally and in Lambda.
 * Checked at synth time: a missing or escaping path should fail with its name, not as a failed copy.
 */
export function handlerAssets(definition: FunctionDefinition, projectRoot: string): Array<{ source: string; target: string }> {
  const folder = handlerFolder(definition, projectRoot);
  return (definition.assets ?? []).map((asset) => {
    const target = normalize(asset);
    if (target.startsWith('..') || target.startsWith('/')) throw new Error(`${definition.name}: asset "${asset}" must stay inside ${dirname(definition.entry)}`);
    const source = join(folder, target);
    if (!existsSync(source)) throw new Error(`${definition.name}: asset "${asset}" not found at ${source}`);
    return { source, target };
  });
}
