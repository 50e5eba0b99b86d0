// `--agent-wave N|P%`: a number of agents or a share of them; anything else is one usage line naming the option
// and the fix (exit 2 through the CLI's UsageError, as every bad input).
import { describe, expect, it } from 'vitest';
import { agentWaveOrUsage } from '../../src/commands/plan.js';
import { UsageError } from '../../src/errors.js';

describe('--agent-wave', () => {
  it('reads N and P%', () => {
    expect(agentWaveOrUsage(undefined)).toBeUndefined();
    expect(agentWaveOrUsage('1')).toEqual({ count: 1 });
    expect(agentWaveOrUsage('10')).toEqual({ count: 10 });
    expect(agentWaveOrUsage('10%')).toEqual({ percent: 10 });
    expect(agentWaveOrUsage('100%')).toEqual({ percent: 100 });
    expect(agentWaveOrUsage('2.5%')).toEqual({ percent: 2.5 });
  });

  it.each(['0', '-1', 'abc', '150%', '0%', '', '1.5', '10 %x'])(
    'refuses %j in one line naming the option and the fix',
    (v) => {
      let error: unknown;
      try {
        agentWaveOrUsage(v);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(new RegExp(`^--agent-wave ${v.replace(/[.*+?^${}()|[\]\\%]/g, '\\$&')}: `));
      expect(message).toContain('e.g. --agent-wave 10 or --agent-wave 10%');
    },
  );
});
