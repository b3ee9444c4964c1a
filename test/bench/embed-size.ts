import { readFile } from 'node:fs/promises';
import type { Figure } from './figure';
import { gzipSync } from 'node:zlib';

const embedScript = new URL('../../functions/serve-embed-script/embed.js', import.meta.url);

/** What a visitor's browser downloads: the script is served unminified, so gzip is what counts. */
export const embedScriptGzipBudgetBytes = 5 * 1024;

/** Size of embed.js as served, raw and gzipped (level 9), against its 5 KB gzipped budget. */
export async function embedSizeBenchmark(): Promise<Figure[]> {
  const script = await readFile(embedScript);
  return [
    { name: 'embed.js raw', value: script.length, unit: 'bytes' },
    { name: 'embed.js gzip -9', value: gzipSync(script, { level: 9 }).length, unit: 'bytes', budget: embedScriptGzipBudgetBytes },
  ];
}
