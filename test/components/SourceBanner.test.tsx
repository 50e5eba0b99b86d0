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

  it('a refused kubeconfig is not "unreachable": the banner names the refusal and the line says the fix', () => {
    const message =
      'the API server https://x:6443 refused the credentials of user "oncall" (HTTP 401 Unauthorized; kubeconfig /k, context "c"): copy a current admin kubeconfig';
    const frame =
      render(
        <SourceBanner source="inventory" apiReachable={false} apiProblem={{ kind: 'unauthorized', message }} />,
      ).lastFrame() ?? '';
    expect(frame).toContain('KUBERNETES API REFUSED THE KUBECONFIG USER (401 Unauthorized)');
    expect(frame).not.toContain('UNREACHABLE');
    expect(frame.replace(/\s+/g, ' ')).toContain(message);
    const tls =
      render(
        <SourceBanner source="api" apiReachable={false} apiProblem={{ kind: 'tls', message: 'not verified' }} />,
      ).lastFrame() ?? '';
    expect(tls).toContain("NOT VERIFIED BY THE KUBECONFIG'S CA (TLS)");
    const forbidden =
      render(
        <SourceBanner source="api" apiReachable={false} apiProblem={{ kind: 'forbidden', message: 'no' }} />,
      ).lastFrame() ?? '';
    expect(forbidden).toContain('FORBIDS THE KUBECONFIG USER (403 Forbidden)');
  });
});
