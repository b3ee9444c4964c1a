import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionLimits } from '@leadflow/manifest';

/** A Lambda `Context` for a local invocation, with the memory and deadline the deployed function would have. */
export function lambdaContext(functionName: string, limits: FunctionLimits): Context {
  const deadline = Date.now() + limits.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(limits.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
