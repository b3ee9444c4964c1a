import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions } from '@leadflow/manifest';
import { bundleFileName, functionBuildOptions, StackFunctionBundles } from '../../infra/function-bundling';
import { projectRoot } from '../../infra/lead-app';
import { demoConfiguration } from '../support/demo-configuration';
import { budgetProblems, bundleContents, bundleFunctions, callsNoAwsService, credentialChainProblems, zodProblems, type FunctionBundle } from '../support/function-bundles';

/** Every manifest function, bundled once as CDK bundles it (`buildFunctionBundles`). */
const functions = manifestFunctions(demoConfiguration());
let bundles: FunctionBundle[];
let dispose: () => void = () => undefined;

beforeAll(() => {
  ({ bundles, dispose } = bundleFunctions(functions));
}, 600_000);
afterAll(() => dispose());

describe('function bundles', () => {
  it('every function stays in its budget besides the AWS SDK, and one that calls no AWS service carries no SDK', () => {
    const problems = functions.flatMap((definition) =>
      budgetProblems(
        bundles.find((bundle) => bundle.name === definition.name)!,
        definition,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('every bundle that carries zod carries zod/mini with its English messages, never zod classic or every locale', () => {
    expect(bundles.flatMap(zodProblems)).toEqual([]);
  });

  it('the zod check names a bundle with zod classic, every locale, or no English messages', () => {
    const getLead = bundles.find((bundle) => bundle.name === 'get-lead')!;
    const english = getLead.modules.find((module) => module.endsWith('node_modules/zod/v4/locales/en.js'))!;
    expect(zodProblems({ ...getLead, modules: [...getLead.modules, 'node_modules/zod/v4/classic/schemas.js', 'node_modules/zod/v4/locales/fr.js'] })).toEqual([
      expect.stringMatching(/^get-lead bundles zod classic \(node_modules\/zod\/v4\/classic\/schemas\.js, …\)/),
      expect.stringMatching(/^get-lead bundles 2 zod locales/),
    ]);
    expect(zodProblems({ ...getLead, modules: getLead.modules.filter((module) => module !== english) })).toEqual([expect.stringMatching(/^get-lead carries zod without its English messages/)]);
  });

  it('the budget check names a function that grew and says what to change', () => {
    const health = functions.find((definition) => definition.name === 'health')!;
    expect(callsNoAwsService(health)).toBe(true);
    const grown = { ...bundles.find((bundle) => bundle.name === 'health')!, bytes: 900 * 1024, sdkBytes: 300 * 1024 };
    const problems = budgetProblems(grown, health);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^health carries 600\.0 KB besides the AWS SDK, over its 150\.0 KB budget .*lambdaDependenciesOf/);
    expect(problems[1]).toMatch(/^health calls no AWS service .* carries 300\.0 KB of the AWS SDK/);
  });

  it("counts a package only the SDK imports as the SDK's share, and one our code also imports as ours", () => {
    const file = (bytesInOutput: number) => ({ bytesInOutput });
    const imports = (...paths: string[]) => ({ bytes: 0, imports: paths.map((path) => ({ path, kind: 'import-statement' as const })) });
    const inputs = {
      'functions/probe/handler.ts': imports('node_modules/@aws-sdk/client-dynamodb/index.js', 'node_modules/shared-helper/index.js'),
      'node_modules/@aws-sdk/client-dynamodb/index.js': imports('node_modules/mnemonist/lru-cache.js', 'node_modules/shared-helper/index.js'),
      'node_modules/mnemonist/lru-cache.js': imports(),
      'node_modules/shared-helper/index.js': imports(),
    };
    const output = {
      bytes: 1000,
      entryPoint: 'functions/probe/handler.ts',
      imports: [],
      exports: [],
      inputs: { 'functions/probe/handler.ts': file(100), 'node_modules/@aws-sdk/client-dynamodb/index.js': file(600), 'node_modules/mnemonist/lru-cache.js': file(200), 'node_modules/shared-helper/index.js': file(100) },
    };
    const contents = bundleContents(output, inputs);
    expect(contents.sdkBytes).toBe(800);
    expect(contents.largestPackages).toEqual([
      { name: 'functions/probe', bytes: 100 },
      { name: 'shared-helper', bytes: 100 },
    ]);
  });

  it('every bundle with the SDK reads its credentials from the environment, as Lambda provides them, without the rest of the default chain', () => {
    expect(bundles.flatMap(credentialChainProblems)).toEqual([]);
    const getLead = bundles.find((bundle) => bundle.name === 'get-lead')!;
    const withChain = { ...getLead, modules: [...getLead.modules.filter((module) => !module.endsWith('lambda-environment-credentials.ts')), 'node_modules/@aws-sdk/credential-provider-ini/dist-es/fromIni.js'] };
    expect(credentialChainProblems(withChain)).toEqual([
      expect.stringMatching(/^get-lead does not take its AWS credentials from packages\/platform\/src\/lambda-environment-credentials\.ts/),
      expect.stringMatching(/^get-lead bundles the SDK's default credential chain \(node_modules\/@aws-sdk\/credential-provider-ini\//),
    ]);
  });

  it('a bundled client signs with the credentials in the environment, and says so when there are none', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TableNames":[]}'));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-credentials-probe-'));
    try {
      await build({ ...functionBuildOptions(projectRoot), entryPoints: ['test/support/bundled-credentials-probe.ts'], outfile: join(directory, 'probe.mjs') });
      const { port } = server.address() as { port: number };
      // A home with no AWS profile, and no credential settings but the ones each run gives.
      const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
      // Asynchronously: the stand-in server answers from this process's event loop.
      const run = (credentials: Record<string, string>) =>
        promisify(execFile)(process.execPath, [join(directory, 'probe.mjs')], { encoding: 'utf8', env: { ...environment, HOME: directory, PROBE_ENDPOINT: `http://127.0.0.1:${port}`, ...credentials } }).then(
          ({ stderr }) => ({ status: 0, stderr }),
          (error: { code: number; stderr: string }) => ({ status: error.code, stderr: error.stderr }),
        );

      const signed = await run({ AWS_ACCESS_KEY_ID: 'ASIALAMBDAROLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 'role-secret', AWS_SESSION_TOKEN: 'role-session-token' });
      expect(signed.status, signed.stderr).toBe(0);
      expect(seen).toHaveLength(1);
      expect(seen[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIALAMBDAROLEEXAMPLE\/\d{8}\/us-east-1\/dynamodb\/aws4_request/);
      expect(seen[0]['x-amz-security-token']).toBe('role-session-token');

      const unsigned = await run({});
      expect(unsigned.status).not.toBe(0);
      expect(unsigned.stderr).toContain('Unable to find environment variable credentials.');
      expect(seen).toHaveLength(1);
    } finally {
      server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

/** Text only the erasure's code holds (`OutboxBacklogError`'s message), which minifying keeps. */
const erasureCode = 'finding its unpublished events would read more than';

// Here rather than in a file of its own, which bundled every function a second time (about a minute).
describe('the lead erasure in the function bundles', () => {
  it('is carried by the functions that erase a person (erase-lead, the platform intakes) and by no other lead-store user', () => {
    const carrying = bundles.map((bundle) => {
      const code = readFileSync(bundle.file, 'utf8');
      return { name: bundle.name, carriesErasure: code.includes(erasureCode), erases: /\.erasePerson\(/.test(code) };
    });
    expect(carrying.filter(({ carriesErasure, erases }) => carriesErasure !== erases)).toEqual([]);
    // Not vacuous: some functions erase, and some that store leads do not.
    expect(carrying.filter(({ erases }) => erases).map(({ name }) => name)).toContain('erase-lead');
    expect(carrying.find(({ name }) => name === 'get-lead')).toMatchObject({ carriesErasure: false });
  });
});

describe('StackFunctionBundles', () => {
  it("builds the stack's bundles once, each with its handler's assets beside it", () => {
    const definitions = functions.filter((definition) => ['health', 'serve-embed-script'].includes(definition.name));
    const stackBundles = new StackFunctionBundles(definitions, projectRoot);
    const [health, embed] = definitions;
    const healthDirectory = stackBundles.directoryOf(health);
    const built = statSync(join(healthDirectory, bundleFileName)).mtimeMs;
    expect(existsSync(join(healthDirectory, `${bundleFileName}.map`))).toBe(true);
    const embedDirectory = stackBundles.directoryOf(embed);
    expect(readFileSync(join(embedDirectory, 'embed.js'))).toEqual(readFileSync(join(projectRoot, dirname(embed.entry), 'embed.js')));
    expect(stackBundles.directoryOf(health)).toBe(healthDirectory);
    expect(statSync(join(healthDirectory, bundleFileName)).mtimeMs).toBe(built);
    expect(stackBundles.handlerFolderOf(embed)).toBe(join(projectRoot, dirname(embed.entry)));
  });
});
