/** Error thrown when a configuration does not validate; the message names every offending field. */
export class ConfigurationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(`Invalid configuration in ${source}:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}
