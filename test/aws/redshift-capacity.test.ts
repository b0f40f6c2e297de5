import { describe, expect, it } from 'vitest';
import { describePlan } from '../../src/aws/preflight';
import { defaultMaxCapacity, isRa3NodeType, maxCapacityProblem, RA3_NODE_TYPES, SINGLE_NODE_TYPES, WAREHOUSE_SIZE_DEFAULTS } from '../../src/aws/redshift-capacity';
import { parseActiveHours, runningHoursPerWeek } from '../../src/aws/pause-schedule';

describe('the warehouse sizes', () => {
  it('know the RA3 node types only: dc2 can no longer be provisioned', () => {
    expect(RA3_NODE_TYPES.every(isRa3NodeType)).toBe(true);
    expect(isRa3NodeType('dc2.large')).toBe(false);
    expect(isRa3NodeType('ra3.8xlarge')).toBe(false);
    expect(SINGLE_NODE_TYPES.every(isRa3NodeType)).toBe(true);
    expect(SINGLE_NODE_TYPES).toContain(WAREHOUSE_SIZE_DEFAULTS.nodeType);
  });

  it('give every node type an hourly price the preflight prints', () => {
    for (const nodeType of RA3_NODE_TYPES) {
      const lines = describePlan({ region: 'us-east-1', serverless: false, nodeType, numberOfNodes: 2, baseCapacity: 8, maxCapacity: 32 }).join('\n');
      expect(lines).toMatch(new RegExp(`2 ${nodeType.replace('.', '\\.')} node\\(s\\): about \\$\\d+\\.\\d\\d per hour`));
    }
  });
});

describe('the Serverless ceiling', () => {
  it('defaults to four times the base, a ceiling every base it is given may reach', () => {
    expect(defaultMaxCapacity(8)).toBe(32);
    expect(defaultMaxCapacity(4)).toBe(16);
    for (const base of [4, 8, 16, 128, 512]) expect(maxCapacityProblem(defaultMaxCapacity(base), base)).toBeUndefined();
  });
});

describe('the pause schedule', () => {
  it('counts the hours a week the cluster runs, on weekdays or every day', () => {
    expect(runningHoursPerWeek({ from: 7, to: 19 })).toBe(60);
    expect(runningHoursPerWeek({ from: 0, to: 23, days: 'every-day' })).toBe(161);
    expect(parseActiveHours('7-19', 'every-day')).toEqual({ from: 7, to: 19, days: 'every-day' });
    expect(parseActiveHours('7pm')).toBeUndefined();
  });
});
