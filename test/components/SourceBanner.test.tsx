import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { SourceBanner } from '../../components/SourceBanner.js';

describe('SourceBanner', () => {
  it('draws nothing when the node list came from a reachable API', () => {
    expect(render(<SourceBanner source="api" apiReachable />).lastFrame()).toBe('');
  });

  it('says loudly that the API is down and the list came from the inventory', () => {
    const frame = render(<SourceBanner source="inventory" apiReachable={false} />).lastFrame() ?? '';
    expect(frame).toContain('KUBERNETES API UNREACHABLE');
    expect(frame).toContain('node list comes from the inventory file');
  });

  it('names a remembered inventory', () => {
    const frame = render(<SourceBanner source="remembered" apiReachable={false} />).lastFrame() ?? '';
    expect(frame).toContain('remembered from an earlier run');
  });
});
