// Everything keyturn knows about one node: service, encryption, etcd, diagnoses, then every certificate.
import React from 'react';
import { Box, Text } from 'ink';
import type { NodeStatus } from '../src/model/status.js';
import { serviceCondition } from '../src/model/service-state.js';
import { CertificateList } from './CertificateList.js';
import { DiagnosisItem } from './DiagnosisItem.js';
import { formatRoles, shortHash } from './node-facts.js';
import { screenText } from './screen-text.js';

export interface NodeDetailProps {
  node: NodeStatus;
  /** First certificate row shown. */
  certOffset?: number;
  certRows?: number;
  width?: number;
}

function Field({ label, children }: { label: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <Box>
      <Box width={12} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Text wrap="truncate-end">{children}</Text>
    </Box>
  );
}

function ServiceLine({ node }: { node: NodeStatus }): React.JSX.Element {
  if (!node.reachable) return <Text color="red">unreachable: keyturn could not run commands on this node</Text>;
  const { unit, state, subState, restarts } = node.service;
  const condition = serviceCondition(node.service);
  const bad = condition === 'restart-loop' || condition === 'failed';
  const shown =
    condition === 'starting'
      ? `${state}/${subState} (starting: a Type=notify server waits for READY, which can take minutes)`
      : state;
  return (
    <Text>
      {unit} <Text color={bad ? 'red' : condition === 'running' ? 'green' : 'yellow'}>{shown}</Text>
      {restarts > 0 ? <Text color="red"> restarted {restarts} times</Text> : null}
    </Text>
  );
}

function EncryptionLine({ node }: { node: NodeStatus }): React.JSX.Element {
  const enc = node.encryption;
  if (!enc) return <Text dimColor>— (not a control-plane server, or encryption is off)</Text>;
  return (
    <Text>
      stage <Text bold>{enc.stage}</Text>, hash {shortHash(enc.hash)}, config {shortHash(enc.configHash)}{' '}
      {enc.hashMatchesConfig ? (
        <Text color="green">✓ matches its config</Text>
      ) : (
        <Text color="red">✗ differs from its config</Text>
      )}
    </Text>
  );
}

function EtcdLine({ node }: { node: NodeStatus }): React.JSX.Element {
  const etcd = node.etcd;
  if (!etcd) return <Text dimColor>— (no etcd member on this node)</Text>;
  return (
    <Text>
      member {etcd.member} {etcd.healthy ? <Text color="green">healthy</Text> : <Text color="red">unhealthy</Text>}
      {etcd.isLeader ? <Text color="yellow"> leader ★</Text> : null}
      {etcd.error ? <Text color="red"> — {screenText(etcd.error)}</Text> : null}
    </Text>
  );
}

export function NodeDetail({ node, certOffset = 0, certRows = 20, width = 100 }: NodeDetailProps): React.JSX.Element {
  const ready = node.ready === null ? '?' : node.ready ? 'Ready' : 'NotReady';
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">
          {node.name}
        </Text>{' '}
        {node.address} · {formatRoles(node.roles)} · {node.version || 'version unknown'} ·{' '}
        <Text color={node.ready ? 'green' : 'red'}>{ready}</Text>
      </Text>
      <Field label="service">
        <ServiceLine node={node} />
      </Field>
      <Field label="encryption">
        <EncryptionLine node={node} />
      </Field>
      <Field label="etcd">
        <EtcdLine node={node} />
      </Field>
      {node.diagnoses.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Diagnoses</Text>
          {node.diagnoses.map((d, i) => (
            <DiagnosisItem key={`${d.code}-${i}`} diagnosis={d} />
          ))}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <CertificateList certificates={node.certificates} offset={certOffset} rows={certRows} width={width} />
      </Box>
    </Box>
  );
}
