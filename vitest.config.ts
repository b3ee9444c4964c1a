import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DynamoDB Local and the local runtime are started once per file that needs them; two cores here.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // These machines run Node 20; Lambda runs Node 22. The SDK's upgrade notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
