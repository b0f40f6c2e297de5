import { describe, expect, it } from 'vitest';
import { describePlan } from '../../src/aws/preflight';
import { isRa3NodeType, RA3_NODE_TYPES, SINGLE_NODE_TYPES, WAREHOUSE_SIZE_DEFAULTS } from '../../src/aws/redshift-capacity';

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
      const lines = describePlan({ region: 'us-east-1', serverless: false, nodeType, numberOfNodes: 2, baseCapacity: 8 }).join('\n');
      expect(lines).toMatch(new RegExp(`2 ${nodeType.replace('.', '\\.')} node\\(s\\): about \\$\\d+\\.\\d\\d per hour`));
    }
  });
});
