import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

/** The code Lambda runs: every function bundle is made of these. */
const bundledDirectories = ['packages/domain', 'packages/platform', 'functions'];

/**
 * The zod entry points bundled code may import: `zod/mini` (tree-shakable functions), the English
 * locale it is given in one place, and zod's core by name (flavour-neutral classes such as `$ZodError`).
 * Anything else, `'zod'` above all, is zod classic: about 95 KB in every bundle that imports it.
 */
const allowedZodImports = new Set(['zod/mini', 'zod/locales', 'zod/v4/core']);

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The zod entry points a source imports or re-exports (type-only imports included) that bundled code may not. */
function disallowedZodImports(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](zod(?:\/[^'"]*)?)['"]/g)].map(([, specifier]) => specifier);
  return specifiers.filter((specifier) => !allowedZodImports.has(specifier));
}

describe('zod in bundled code', () => {
  it("every file of packages/domain, packages/platform and functions imports zod as 'zod/mini', never zod classic", () => {
    const offenders = bundledDirectories
      .flatMap((directory) => typeScriptFiles(join(root, directory)))
      .flatMap((file) => disallowedZodImports(readFileSync(file, 'utf8')).map((specifier) => `${relative(root, file)} imports '${specifier}': write import * as z from 'zod/mini'`));
    expect(offenders).toEqual([]);
  });

  it('the check names each classic import, type-only, re-exported or dynamic, and lets zod/mini pass', () => {
    const source = [
      "import * as z from 'zod/mini';",
      "import { en } from 'zod/locales';",
      "import * as classic from 'zod';",
      "import type { ZodType } from 'zod';",
      "export { z as zod } from 'zod/v4';",
      "const lazy = await import('zod/v3');",
    ].join('\n');
    expect(disallowedZodImports(source)).toEqual(['zod', 'zod', 'zod/v4', 'zod/v3']);
  });
});
