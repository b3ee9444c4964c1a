import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretRefs } from '@leadflow/domain';
import { LocalSecretStore, readLambdaSettings, readLocalSecrets, secretCacheSeconds, SecretsManagerSecretStore } from '@leadflow/platform';
import { checkLocalSecrets } from '@leadflow/local-runtime';
import { demoConfiguration } from '../../support/demo-configuration';
import { demoSecretsFile } from '../../support/demo-secrets';

const secretsManager = mockClient(SecretsManagerClient);
const scratch = mkdtempSync(join(tmpdir(), 'leadflow-secrets-'));
afterEach(() => {
  secretsManager.reset();
  vi.useRealTimers();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => {
  secretsManager.restore();
  rmSync(scratch, { recursive: true, force: true });
});

function writeJson(name: string, document: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('SecretsManagerSecretStore', () => {
  const store = () => new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' }), 'Leadflow/');

  it('reads the secret under the stack prefix, as a plain value or as current and previous', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'Leadflow/meta/app-secret' }).resolves({ SecretString: 'meta-app-secret-2026' });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'Leadflow/linkedin/client-secret' }).resolves({ SecretString: '{"current":"linkedin-2026","previous":"linkedin-2025"}' });
    expect(await store().get(secretRefs.metaAppSecret)).toEqual({ current: 'meta-app-secret-2026' });
    expect(await store().get(secretRefs.linkedInClientSecret)).toEqual({ current: 'linkedin-2026', previous: 'linkedin-2025' });
  });

  it(`keeps a value for ${secretCacheSeconds} s, then reads it again (so a rotation reaches every container)`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T10:00:00Z'));
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'meta-app-secret-2026' }).resolves({ SecretString: '{"current":"meta-app-secret-2027","previous":"meta-app-secret-2026"}' });
    const cached = store();
    expect(await cached.get(secretRefs.metaAppSecret)).toEqual({ current: 'meta-app-secret-2026' });
    vi.setSystemTime(new Date(Date.parse('2026-03-02T10:00:00Z') + (secretCacheSeconds - 1) * 1000));
    expect(await cached.get(secretRefs.metaAppSecret)).toEqual({ current: 'meta-app-secret-2026' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    vi.setSystemTime(new Date(Date.parse('2026-03-02T10:00:00Z') + (secretCacheSeconds + 1) * 1000));
    expect(await cached.get(secretRefs.metaAppSecret)).toEqual({ current: 'meta-app-secret-2027', previous: 'meta-app-secret-2026' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a malformed or binary value naming the secret, never showing the value', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'Leadflow/meta/app-secret' }).resolves({ SecretString: '{"current": "half-written' });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'Leadflow/meta/verify-token' }).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const failure = store().get(secretRefs.metaAppSecret);
    await expect(failure).rejects.toThrow('Secret "meta/app-secret" starts with "{" but is not valid JSON');
    await expect(failure).rejects.not.toThrow(/half-written/);
    await expect(store().get(secretRefs.metaVerifyToken)).rejects.toThrow('Secret "Leadflow/meta/verify-token" has no SecretString');
  });
});

describe('local secrets', () => {
  it('merge demo values, then the local file, then LEADS_SECRETS, the last winning', () => {
    const demoFile = writeJson('demo.json', { 'meta/app-secret': 'demo-meta-app-secret', 'meta/verify-token': 'demo-verify-token', 'tiktok/app-secret': 'demo-tiktok-secret' });
    const localFile = writeJson('local.json', { 'meta/app-secret': { current: 'file-meta-2026', previous: 'file-meta-2025' }, 'tiktok/app-secret': 'file-tiktok-secret' });
    const secrets = readLocalSecrets({ demoFile, localFile, inline: '{"tiktok/app-secret": "env-tiktok-secret"}' });
    expect(secrets.values).toEqual({ 'meta/app-secret': { current: 'file-meta-2026', previous: 'file-meta-2025' }, 'meta/verify-token': 'demo-verify-token', 'tiktok/app-secret': 'env-tiktok-secret' });
    expect(secrets.origins).toEqual({ 'meta/app-secret': 'file', 'meta/verify-token': 'demo', 'tiktok/app-secret': 'environment' });
  });

  it('fall back to the demo values on a fresh clone (no local file, no variable)', async () => {
    const { values } = readLocalSecrets({ demoFile: demoSecretsFile, localFile: join(scratch, 'absent.json') });
    expect(await new LocalSecretStore(values).get(secretRefs.metaAppSecret)).toEqual({ current: 'local-only-meta-app-secret' });
  });

  it('stop at a malformed source, naming it', () => {
    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, '{"meta/app-secret": ');
    expect(() => readLocalSecrets({ localFile: broken })).toThrow(`${broken} is not valid JSON`);
    expect(() => readLocalSecrets({ inline: '["a"]' })).toThrow('LEADS_SECRETS must be a JSON object from secret name to value');
  });

  it('name a missing secret and where to set it', async () => {
    await expect(new LocalSecretStore({}).get(secretRefs.googleFormKey('349080077126'))).rejects.toThrow('Secret "google/forms/349080077126/key" is not set: add it to config/secrets.local.json or to LEADS_SECRETS');
  });

  it('are checked when npm start begins: every configured secret present and well-formed, or it names them', async () => {
    expect(await checkLocalSecrets(demoConfiguration(), { demoFile: demoSecretsFile })).toEqual({ demo: 13, file: 0, environment: 0 });
    const config = demoConfiguration();
    config.forms[0].turnstile = true;
    const check = checkLocalSecrets(config, { demoFile: demoSecretsFile, inline: '{"meta/app-secret": "short"}' });
    await expect(check).rejects.toThrow(/Secret "meta\/app-secret" must be the Meta app secret .*, at least 8 characters\n.*Secret "forms\/demo\/turnstile-secret-key" is not set/);
  });
});

describe('where a function reads secrets from', () => {
  const env = { LEADS_TABLE_NAME: 'leads', LEADS_EVENT_BUS_NAME: 'leadflow', LEADS_VALIDATED_CONFIG_FILE: '/var/task/leads.config.json' };

  it('is Secrets Manager when the CDK app set a prefix, whatever local variables say', () => {
    expect(readLambdaSettings({ ...env, LEADS_SECRETS_MANAGER_PREFIX: 'Leadflow/', LEADS_SECRETS: '{}' }).secrets).toEqual({ source: 'secrets-manager', prefix: 'Leadflow/' });
  });

  it('is the local sources otherwise, and nothing at all when none is given (no demo values in Lambda)', () => {
    expect(readLambdaSettings({ ...env, LEADS_DEMO_SECRETS_FILE: '/repo/config/secrets.demo.json', LEADS_SECRETS_FILE: '/repo/config/secrets.local.json' }).secrets).toEqual({
      source: 'local',
      demoFile: '/repo/config/secrets.demo.json',
      localFile: '/repo/config/secrets.local.json',
      inline: undefined,
    });
    expect(readLambdaSettings(env).secrets).toEqual({ source: 'local', demoFile: undefined, localFile: undefined, inline: undefined });
  });
});
