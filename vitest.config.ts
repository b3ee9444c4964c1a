import { configDefaults, defineConfig } from 'vitest/config';

// Every project's settings. Not inherited with `extends: true`, which would copy `maxWorkers` into each project
// where `--maxWorkers` on the command line no longer reaches it.
const everyProject = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  allowOnly: false,
  env: {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // These machines run Node 20; Lambda runs Node 22. The SDK's upgrade notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
};

export default defineConfig({
  test: {
    // Two cores here, shared by the projects below.
    maxWorkers: 2,
    allowOnly: false,
    projects: [
      {
        test: {
          ...everyProject,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Loading the AWS SDK, Powertools and the packages afresh for every file took longer than the tests:
          // the unit files share each worker's process and modules, so each file puts back what it changes in
          // them (Vitest restores spies after every file; a file restores its aws-sdk-client-mock stubs, stubbed
          // environment variables and globals, and clocks itself).
          isolate: false,
        },
      },
      {
        test: {
          ...everyProject,
          // The local runtime and CDK, started once per file that needs them: each file in a fresh worker.
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**'],
          // DynamoDB Local for the integration files: one per worker slot, kept for the run, its tables dropped
          // and made anew for each file (`startTestDatabase`). A JVM per file took 6–8 s of each.
          globalSetup: ['test/support/shared-dynamodb-local.ts'],
        },
      },
    ],
  },
});
