/**
 * Thrown by {@link parseScheduleExpression} when a string is not a schedule expression that EventBridge would
 * accept. The message names the offending part (field, value or wildcard) so a bad CDK schedule can be fixed
 * without reading the EventBridge reference.
 */
export class InvalidScheduleExpressionError extends Error {
  /** The expression exactly as it was passed in. */
  readonly expression: string;

  constructor(expression: string, reason: string) {
    super(`Invalid schedule expression ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'InvalidScheduleExpressionError';
    this.expression = expression;
  }
}
