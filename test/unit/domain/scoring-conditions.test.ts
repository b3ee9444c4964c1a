import { describe, expect, it } from 'vitest';
import { conditionHolds, scoreLead, type ScoringFacts } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const title = (value: string): ScoringFacts => ({ title: value });
const contains = (...needles: string[]) => ({ fact: 'title' as const, contains: needles });

describe('a `contains` condition', () => {
  it.each([
    ['CTO & co-founder', 'cto'],
    ['Chief Operating Officer (COO)', 'coo'],
    ['co-owner', 'owner'],
    ['Head of Sales', 'head of'],
    ['Team Lead, Platform', 'lead'],
    ['VP/Sales', 'vp'],
    ['Ärztlicher Direktor', 'direktor'],
    ['r&d director', 'r&d'],
  ])('finds a whole word or phrase: %s holds %s', (value, needle) => {
    expect(conditionHolds(contains(needle), title(value))).toBe(true);
  });

  it.each([
    ['Marketing Coordinator', 'coo'],
    ['Instructor', 'cto'],
    ['Contractor', 'cto'],
    ['Doctor', 'cto'],
    ['Sales Inspector', 'cto'],
    ['Leadership coach', 'lead'],
    ['Ownership analyst', 'owner'],
  ])('does not find a word inside another: %s does not hold %s', (value, needle) => {
    expect(conditionHolds(contains(needle), title(value))).toBe(false);
  });

  it('finds a word of a script written without spaces inside the text, where no space marks it off', () => {
    expect(conditionHolds(contains('总监'), title('销售总监'))).toBe(true);
    expect(conditionHolds(contains('部長'), title('営業部長'))).toBe(true);
  });

  it('compares case-insensitively, and finds a later whole occurrence after one inside a word', () => {
    expect(conditionHolds(contains('CTO'), title('cto'))).toBe(true);
    expect(conditionHolds(contains('coo'), title('Coordinator and COO'))).toBe(true);
  });

  it("gives the demo's decision-maker points to a CTO, and none to a coordinator or a doctor", () => {
    const config = demoConfiguration();
    const ruleIds = (value: string) => scoreLead(title(value), config.scoring, new Date('2026-03-02T10:00:00.000Z')).contributions.map((contribution) => contribution.ruleId);
    expect(ruleIds('CTO')).toContain('decision-maker-title');
    expect(ruleIds('Marketing Coordinator')).not.toContain('decision-maker-title');
    expect(ruleIds('Doctor')).not.toContain('decision-maker-title');
  });
});
