// The wizard's first question when the kubeconfig has several contexts and none was chosen (no --context, no
// --inventory: an inventory names one cluster): which cluster. Every context is scanned as `status --all-contexts`
// does (four at a time, an unreadable one an entry with why), each row filled in as its scan ends; enter opens
// the highlighted cluster's dashboard, q quits. Runs before the wizard's own session opens and apart from it.
import React, { useEffect, useRef, useState } from 'react';
import { Box, useApp } from 'ink';
import { ClusterList } from '../../components/ClusterList.js';
import { KeyHints } from '../../components/KeyHints.js';
import type { ClusterRead } from '../model/cluster-summary.js';
import { useKeys } from '../hooks/useKeys.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { actionFor, hintsFor } from '../screens/keymap.js';
import { assertNever } from '../model/cluster.js';
import type { PickerOutcome } from './cluster-choice.js';
import type { ClusterOptions } from './options.js';
import type { WizardIo } from './terminal-io.js';

interface PickerProps {
  contexts: readonly string[];
  /** Starts the scans; calls back with each cluster as its scan ends. */
  scan: (onRead: (read: ClusterRead) => void) => void;
  onDone: (outcome: PickerOutcome) => void;
}

function ClusterPicker({ contexts, scan, onDone }: PickerProps): React.JSX.Element {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [reads, setReads] = useState<ReadonlyMap<string, ClusterRead>>(new Map());
  const [selected, setSelectedState] = useState(0);
  // Every key of a chunk ("jj" then enter) sees where the one before left the selection.
  const selectedRef = useRef(0);
  const select = (index: number) => {
    selectedRef.current = Math.max(0, Math.min(contexts.length - 1, index));
    setSelectedState(selectedRef.current);
  };
  useEffect(() => {
    scan((read) => setReads((prev) => new Map(prev).set(read.context, read)));
  }, [scan]);
  const done = (outcome: PickerOutcome) => {
    onDone(outcome);
    exit();
  };
  useKeys((input, key) => {
    // Every key the picker takes is in the keymap, and each has its case here (an exhaustive switch).
    const action = actionFor('pick-cluster', input, key);
    switch (action) {
      case 'quit':
        return done({ kind: 'quit', how: key.ctrl && input === 'c' ? 'interrupt' : 'quit' });
      case 'move-up':
        return select(selectedRef.current - 1);
      case 'move-down':
        return select(selectedRef.current + 1);
      case 'open-cluster':
        return done({ kind: 'picked', context: contexts[selectedRef.current] });
      case undefined:
        return;
      default:
        return assertNever(action);
    }
  });
  return (
    <Box flexDirection="column" width={size.columns}>
      <ClusterList
        contexts={contexts}
        reads={reads}
        selected={selected}
        width={size.columns}
        timelineRows={Math.max(3, size.rows - contexts.length - 10)}
      />
      <Box marginTop={1}>
        <KeyHints hints={hintsFor('pick-cluster')} />
      </Box>
    </Box>
  );
}

/** Asks which of `contexts` (cluster-choice.ts: contextsToOffer) the wizard opens. */
export async function pickCluster(
  contexts: readonly string[],
  opts: ClusterOptions,
  io: WizardIo,
): Promise<PickerOutcome> {
  const [{ render }, { readClusters }] = await Promise.all([import('ink'), import('./fleet.js')]);
  let outcome: PickerOutcome = { kind: 'quit', how: 'quit' };
  let left = false;
  // Scans still running when a cluster is picked end on their own (each closes its node shells); none starts after.
  const scan = (onRead: (read: ClusterRead) => void) => {
    void readClusters(
      contexts,
      { kubeconfig: opts.kubeconfig, stateDir: opts.stateDir },
      { onRead: (_i, read) => !left && onRead(read), stopped: () => left },
    );
  };
  const instance = render(<ClusterPicker contexts={contexts} scan={scan} onDone={(o) => (outcome = o)} />, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
  left = true;
  instance.clear();
  return outcome;
}
