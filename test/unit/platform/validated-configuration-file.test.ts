import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@leadflow/domain';
import { loadConfigurationFile, readValidatedConfigurationFile, writeValidatedConfigurationFile } from '@leadflow/platform';
import { demoConfigurationFile } from '../../support/demo-configuration';

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-validated-configuration-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the validated configuration functions read', () => {
  it('reads back exactly what validation returned, defaults applied, without the schema', () => {
    const validated = loadConfigurationFile(demoConfigurationFile);
    const file = writeValidatedConfigurationFile(validated, join(scratch, 'nested', 'validated-configuration.json'));
    const read = readValidatedConfigurationFile(file);
    expect(read).toEqual(validated);
    // A default the raw demo file leaves out comes back filled in.
    expect(read.operations).toEqual(validated.operations);
    expect(read.forms.every((form) => typeof form.minFillSeconds === 'number')).toBe(true);
  });

  it('refuses a raw configuration file, which would run without its defaults, naming the file', () => {
    expect(() => readValidatedConfigurationFile(demoConfigurationFile)).toThrow(ConfigurationError);
    expect(() => readValidatedConfigurationFile(demoConfigurationFile)).toThrow(new RegExp(`${demoConfigurationFile}[\\s\\S]*is not a validated configuration`));
  });

  it('names a file that cannot be read', () => {
    const missing = join(scratch, 'missing.json');
    expect(() => readValidatedConfigurationFile(missing)).toThrow(new RegExp(`${missing}[\\s\\S]*cannot be read as JSON`));
  });
});
