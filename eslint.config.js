// Lint rules for the whole repository; formatting is Prettier's job (`.prettierrc.json`), so no style rules here.
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/node_modules/', 'cdk.out/', '.leads-data/', 'coverage/', 'test/fixtures/'] },
  js.configs.recommended,
  // Type-aware rules: they see through imports (AWS SDK clients, ports, node:fs/promises) to find promises nobody awaits.
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A `!` silences the check a missing value deserves; say what happens instead (throw, default, narrow).
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': ['error', { checkThenables: true }],
      // `const { pk: _pk, ...lead } = item` is how an item's keys are dropped; `_name` marks a parameter an interface demands.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
      // Off: handlers and port implementations are `async` to honour a Promise-returning signature even when they do not await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests: a wrong assumption there throws and fails the test, which is the check a `!` would otherwise skip.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Off in tests: response bodies and fixtures are parsed JSON (`any`) whose shape the assertions themselves check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // The embed script runs in visitors' browsers as plain JavaScript; no tsconfig covers it, so no type-aware rules.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
);
