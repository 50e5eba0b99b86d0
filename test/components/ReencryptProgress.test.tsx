import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { ReencryptProgress, formatDuration, type ReencryptProgressView } from '../../components/ReencryptProgress.js';
import { FG, isColoured, lineWith, stripAnsi } from './frames.js';

const reading = (over: Partial<ReencryptProgressView> = {}): ReencryptProgressView => ({
  done: 2500,
  total: 10000,
  ratePerSecond: 5.2,
  secondsLeft: 1442,
  stalledSeconds: 3,
  finished: false,
  source: 'api',
  ...over,
});

const draw = (progress: ReencryptProgressView | null, stallAfterSeconds = 120) =>
  render(
    <ReencryptProgress
      node="cp-1"
      unit="rke2-server"
      progress={progress}
      stallAfterSeconds={stallAfterSeconds}
      barWidth={20}
    />,
  ).lastFrame() ?? '';

describe('ReencryptProgress', () => {
  it('shows N of M secrets with a bar filled to the share done, the rate, the time left and the source', () => {
    const raw = draw(reading());
    const f = stripAnsi(raw);
    expect(f).toContain('Re-encrypting secrets on cp-1');
    expect(f).toContain('2500 of 10000 secrets');
    expect(f).toContain('25%');
    const bar = lineWith(raw, 'of 10000 secrets');
    expect((stripAnsi(bar).match(/█/g) ?? []).length).toBe(5);
    expect((stripAnsi(bar).match(/░/g) ?? []).length).toBe(15);
    expect(isColoured(bar, '█████', 'green')).toBe(true);
    expect(f).toContain('5.2 secrets/s');
    expect(f).toContain('~24m 02s left');
    expect(f).toContain("from the node's SecretsProgress events (API)");
    expect(f).not.toContain('No progress');
  });

  it('a stall past the threshold is a yellow warning naming the node and where to look', () => {
    const raw = draw(reading({ stalledSeconds: 130 }));
    const f = stripAnsi(raw);
    expect(f).toMatch(/⚠ No progress for 2m 10s \(warns after 2m 00s\)/);
    expect(f).toContain('journalctl -u rke2-server');
    expect(f).toContain('on cp-1');
    expect(isColoured(lineWith(raw, 'No progress'), '⚠ No progress', 'yellow')).toBe(true);
    // just under the threshold: no warning
    expect(stripAnsi(draw(reading({ stalledSeconds: 119 })))).not.toContain('No progress');
  });

  it('a finished wait never warns of a stall and says it is done', () => {
    const f = stripAnsi(draw(reading({ done: 10000, secondsLeft: 0, stalledSeconds: 500, finished: true })));
    expect(f).toContain('✓ finished');
    expect(f).toContain('10000 of 10000 secrets');
    expect(f).toContain('100%');
    expect(f).not.toContain('No progress');
    expect(f).not.toContain('left');
  });

  it('says what it does not know: no total, no rate yet, the journal as source, no reading at all', () => {
    const f = stripAnsi(
      draw(reading({ total: null, ratePerSecond: null, secondsLeft: null, source: 'journal', done: 300 })),
    );
    expect(f).toContain('300 secrets re-encrypted');
    expect(f).toContain('total unknown');
    expect(f).not.toMatch(/[█░]/);
    expect(f).toContain('rate not known yet');
    expect(f).toContain('time left not known yet');
    expect(f).toContain("from the node's journal");
    expect(stripAnsi(draw(reading({ source: 'none' })))).toContain('no reading: the API is not answering');
    const none = stripAnsi(draw(null));
    expect(none).toContain('waiting for the first reading');
    expect(none).not.toContain('secrets/s');
  });

  it('never draws more than the bar width, whatever the count says', () => {
    const raw = draw(reading({ done: 12000, total: 10000 }));
    const bar = stripAnsi(lineWith(raw, 'of 10000 secrets'));
    expect((bar.match(/█/g) ?? []).length).toBe(20);
    expect(bar).toContain('100%');
    expect(raw).not.toContain(`${FG.red}`);
  });

  it('formats durations the way an operator reads them', () => {
    expect([0, 45, 60, 125, 3599, 3600, 11_000].map(formatDuration)).toEqual([
      '0s',
      '45s',
      '1m 00s',
      '2m 05s',
      '59m 59s',
      '1h 00m',
      '3h 03m',
    ]);
  });
});
