import { describe, expect, it } from 'vitest';
import { invokedName } from '../../src/util/invoked-name.js';

describe('invokedName', () => {
  it('is `kubectl keyturn` when kubectl ran the kubectl-keyturn link (binary argv0, or the script node runs)', () => {
    expect(invokedName('/home/op/bin/kubectl-keyturn', '/home/op/bin/kubectl-keyturn')).toBe('kubectl keyturn');
    expect(invokedName('node', '/usr/lib/node_modules/keyturn/bin/kubectl-keyturn.js')).toBe('kubectl keyturn');
  });

  it('is `keyturn` otherwise', () => {
    expect(invokedName('/usr/local/bin/keyturn', '/usr/local/bin/keyturn')).toBe('keyturn');
    expect(invokedName('node', '/repo/bin/keyturn.js')).toBe('keyturn');
    expect(invokedName('node', undefined)).toBe('keyturn');
    expect(invokedName('/opt/kubectl-keyturn-old/keyturn', undefined)).toBe('keyturn');
  });
});
