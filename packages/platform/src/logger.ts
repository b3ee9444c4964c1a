import { Logger } from '@aws-lambda-powertools/logger';

type LogLevel = Parameters<Logger['setLogLevel']>[0];

/**
 * Powertools' Logger with a level that can be chosen after it was built. In Lambda the level comes from
 * the environment before this module loads; the local runtime loads it first and sets the level after
 * (`LEADS_LOG_LEVEL`), and Powertools puts back the level it was built with at every invocation (to
 * redraw its debug sampling), so a plain `setLogLevel` would last one invocation.
 */
class ServiceLogger extends Logger {
  private chosenLevel?: LogLevel;

  /** The level for this and every later invocation. */
  chooseLogLevel(level: LogLevel): void {
    this.chosenLevel = level;
    this.setLogLevel(level);
  }

  override refreshSampleRateCalculation(): void {
    super.refreshSampleRateCalculation();
    if (this.chosenLevel) this.setLogLevel(this.chosenLevel);
  }
}

/** One structured logger for every handler; the handler kit injects the Lambda context and a correlation id into it. */
export const logger = new ServiceLogger({ serviceName: 'leadflow' });
