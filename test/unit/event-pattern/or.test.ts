import { describe, expect, it } from 'vitest';
import { compileEventPattern, matches, validatePattern } from '@leadflow/event-pattern';

// "$or matching" in the EventBridge user guide: an array of at least two sub-patterns, any of which may match,
// combined with the fields around it, and nestable.

describe('$or', () => {
  it('matches if any alternative matches', () => {
    const pattern = { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } };
    expect(matches(pattern, { detail: { 'c-count': 3, 'd-count': 100 } })).toBe(true);
    expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 9 } })).toBe(true);
    expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 10 } })).toBe(false);
  });

  it('combines with the other fields of the same object, before and after it', () => {
    const pattern = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }], region: ['eu'] };
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2', region: 'eu' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2', region: 'us' })).toBe(false);
    expect(matches(pattern, { source: 'other', metricName: 'CPUUtilization', region: 'eu' })).toBe(false);
  });

  it('supports AND inside an alternative and nested $or', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }, { scope: ['Service'] }],
    };
    expect(compileEventPattern(pattern).branches.map((branch) => branch.map((field) => field.path))).toEqual([
      ['metricName', 'source'],
      ['metricId', 'metricType', 'namespace', 'source'],
      ['metricType', 'namespace', 'source', 'spaceId'],
      ['scope', 'source'],
    ]);
    const base = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' };
    expect(matches(pattern, { ...base, spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { ...base, spaceId: 1001 })).toBe(false);
    expect(matches(pattern, { ...base, metricId: 1234, namespace: 'AWS/S3' })).toBe(false);
  });

  it('supports parallel $or at different levels', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(compileEventPattern(pattern).branches).toHaveLength(4);
    expect(matches(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(matches(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'other' } })).toBe(false);
  });

  it.each([
    [{ $or: [{ a: ['1'] }] }, 'There must have at least 2 Objects in $or relationship.'],
    [{ $or: [] }, 'There must have at least 2 Objects in $or relationship.'],
    [{ $or: { a: ['1'] } }, 'It must be an Array followed with $or.'],
    [{ $or: [{ a: ['1'] }, ['b']] }, 'Only JSON object is allowed in array of $or relationship.'],
    [{ $or: [{ a: ['1'] }, {}] }, 'Empty objects are not allowed'],
    [{ $or: [{ a: ['1'] }, { numeric: ['>', 1] }] }, 'numeric is Ruler reserved fieldName which cannot be used inside $or.'],
    [{ $or: [{ a: ['1'] }, { b: { prefix: ['x'] } }] }, 'prefix is Ruler reserved fieldName which cannot be used inside $or.'],
  ])('rejects %j', (pattern, reason) => {
    expect(validatePattern(pattern)).toEqual({
      valid: false,
      code: 'InvalidEventPatternException',
      message: `Event pattern is not valid. Reason: ${reason}`,
    });
  });

  it('rejects a pattern whose $or results in more than 1000 combinations, as PutRule does, and takes 1000', () => {
    const alternatives = (field: string, count: number) => Array.from({ length: count }, (_, index) => ({ [field]: [`${field}${index}`] }));
    expect(validatePattern({ x: { $or: alternatives('a', 40) }, y: { $or: alternatives('b', 40) } })).toEqual({
      valid: false,
      code: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: The $or in the pattern results in more than 1000 rule combinations.',
    });
    expect(validatePattern({ x: { $or: alternatives('a', 40) }, y: { $or: alternatives('b', 25) } })).toEqual({ valid: true });
  });
});
