import { expect } from 'vitest';
import { ConfigurationError, parseConfiguration } from '@leadflow/domain';

/** The issues a rejected configuration reports, as `path: message` lines; fails if it is accepted. */
export function configurationIssues(document: unknown): string[] {
  try {
    parseConfiguration(document, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the configuration to be rejected');
}
