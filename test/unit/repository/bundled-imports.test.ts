import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

/** The code Lambda runs: every function bundle is made of these. */
const bundledDirectories = ['packages/domain', 'packages/platform', 'functions'];

interface ImportRule {
  /** The package whose entry points the rule governs. */
  packageName: string;
  /** Whether `file` (relative to the root) may import `specifier`. */
  allows: (specifier: string, file: string) => boolean;
  advice: string;
}

const importRules: ImportRule[] = [
  {
    // `zod/mini` (tree-shakable functions), the English locale it is given in one place, and zod's core by
    // name (flavour-neutral classes such as `$ZodError`). Anything else, `'zod'` above all, is zod classic:
    // about 95 KB in every bundle that imports it.
    packageName: 'zod',
    allows: (specifier) => ['zod/mini', 'zod/locales', 'zod/v4/core'].includes(specifier),
    advice: "write import * as z from 'zod/mini'",
  },
  {
    // Every other entry point brings libphonenumber-js's own metadata, formatting rules included: 49 KB more.
    packageName: 'libphonenumber-js',
    allows: (specifier, file) => specifier === 'libphonenumber-js/core' && file === 'packages/domain/src/phone-numbers.ts',
    advice: 'read phone numbers through packages/domain/src/phone-numbers.ts',
  },
];

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What a source (at `file`, relative to the root) imports or re-exports, type-only imports included, against the rules: one line per import it may not make. */
function disallowedImports(source: string, file: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map(([, specifier]) => specifier);
  return specifiers.flatMap((specifier) => {
    const rule = importRules.find(({ packageName }) => specifier === packageName || specifier.startsWith(`${packageName}/`));
    return rule && !rule.allows(specifier, file) ? [`${file} imports '${specifier}': ${rule.advice}`] : [];
  });
}

describe('imports in bundled code', () => {
  it("every file of packages/domain, packages/platform and functions imports zod as 'zod/mini' and libphonenumber-js only through phone-numbers.ts", () => {
    const offenders = bundledDirectories.flatMap((directory) => typeScriptFiles(join(root, directory))).flatMap((path) => disallowedImports(readFileSync(path, 'utf8'), relative(root, path)));
    expect(offenders).toEqual([]);
  });

  it('every bundled module that builds zod schemas imports the English locale, the one domain file with a side effect, so messages are English in any bundle', () => {
    const localeImport = (file: string) => (file.startsWith('packages/domain/') ? "import './zod-locale';" : "import '@leadflow/domain/zod-locale';");
    const withoutLocale = bundledDirectories
      .flatMap((directory) => typeScriptFiles(join(root, directory)))
      .map((path) => ({ file: relative(root, path), source: readFileSync(path, 'utf8') }))
      .filter(({ file, source }) => file !== 'packages/domain/src/zod-locale.ts' && /^import \* as z from 'zod\/mini';$/m.test(source) && !source.includes(localeImport(file)))
      .map(({ file }) => file);
    expect(withoutLocale).toEqual([]);
  });

  it('the check names each classic zod import, type-only, re-exported or dynamic, and lets zod/mini pass', () => {
    const source = [
      "import * as z from 'zod/mini';",
      "import { en } from 'zod/locales';",
      "import * as classic from 'zod';",
      "import type { ZodType } from 'zod';",
      "export { z as zod } from 'zod/v4';",
      "const lazy = await import('zod/v3');",
      "import { zodLike } from 'zodiac';",
    ].join('\n');
    expect(disallowedImports(source, 'functions/x/handler.ts').map((line) => line.split("'")[1])).toEqual(['zod', 'zod', 'zod/v4', 'zod/v3']);
  });

  it('the check names libphonenumber-js imported anywhere but through phone-numbers.ts, or there by another entry point', () => {
    const direct = "import { parsePhoneNumberFromString } from 'libphonenumber-js';\nimport type { CountryCode } from 'libphonenumber-js/core';";
    expect(disallowedImports(direct, 'packages/domain/src/lead-scoring.ts')).toEqual([
      "packages/domain/src/lead-scoring.ts imports 'libphonenumber-js': read phone numbers through packages/domain/src/phone-numbers.ts",
      "packages/domain/src/lead-scoring.ts imports 'libphonenumber-js/core': read phone numbers through packages/domain/src/phone-numbers.ts",
    ]);
    expect(disallowedImports(direct, 'packages/domain/src/phone-numbers.ts')).toEqual([
      "packages/domain/src/phone-numbers.ts imports 'libphonenumber-js': read phone numbers through packages/domain/src/phone-numbers.ts",
    ]);
  });
});
