import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { Terminal } from '../../../scripts/operations/operator-kit';

export function recordingTerminal(): Terminal & { printed: string[]; warned: string[] } {
  const printed: string[] = [];
  const warned: string[] = [];
  return { printed, warned, print: (line) => void printed.push(line), warn: (line) => void warned.push(line) };
}

/** A DescribeStacks answer with these outputs. */
export function stackOutputs(outputs: Record<string, string>): DescribeStacksCommandOutput {
  return {
    $metadata: {},
    Stacks: [{ StackName: 'Leadflow', CreationTime: new Date(0), StackStatus: 'UPDATE_COMPLETE', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
  };
}
