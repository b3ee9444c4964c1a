import { fileURLToPath } from 'node:url';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Modules every bundle takes from elsewhere. Lambda hands a function its credentials in the environment,
 * so the SDK's default chain is cut to that link (see the module).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': fileURLToPath(new URL('../packages/platform/src/lambda-environment-credentials.ts', import.meta.url)),
};

/**
 * How every manifest function is bundled: the esbuild side of `NodejsFunction`'s `bundling`. The
 * bundle budget test and `npm run bench` build with exactly these options, so the sizes they report are
 * the sizes that deploy.
 */
export const functionBundling = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK too: the client versions the tests ran are the versions that deploy.
  externalModules: [],
  esbuildArgs: { '--alias': Object.entries(bundleAliases).map(([name, path]) => `${name}=${path}`) },
  // CommonJS dependencies bundled into an ES module still call `require` for Node built-ins.
  banner: "import { createRequire as __leadflowCreateRequire } from 'node:module'; const require = __leadflowCreateRequire(import.meta.url);",
} satisfies BundlingOptions;
