// Fakes for the engine's ports: an instant clock, a scripted operator, an in-memory journal, a log sink, and a
// Kubernetes gateway whose nodes are Ready while their fake service is active.
import type { RunEvent } from '../../../src/engine/events.js';
import type {
  Clock,
  ConfirmAnswer,
  ConfirmPort,
  ConfirmRequest,
  LogEvent,
  RunPorts,
} from '../../../src/engine/ports.js';
import type { ApiResult, KubeGateway, KubeNode } from '../../../src/transports/types.js';
import type { FakeCluster } from './fake-shell.js';

export class FakeClock implements Clock {
  constructor(public t = Date.parse('2025-06-01T12:00:00Z')) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
    await Promise.resolve();
  }
}

export class ScriptedConfirm implements ConfirmPort {
  readonly asked: ConfirmRequest[] = [];
  readonly paused: string[] = [];
  /** By default: run, typing the node name where the block asks for it (destructive steps). */
  constructor(
    private readonly answer: (req: ConfirmRequest) => ConfirmAnswer = (req) => ({
      answer: 'run',
      ...(req.requireTypedName ? { typedName: req.node } : {}),
    }),
  ) {}
  async confirmNode(req: ConfirmRequest): Promise<ConfirmAnswer> {
    this.asked.push(req);
    return this.answer(req);
  }
  async pause(req: { key: string }): Promise<'continue' | 'quit'> {
    this.paused.push(req.key);
    return 'continue';
  }
}

export class MemoryJournal {
  readonly events: RunEvent[] = [];
  /** Throws (simulating keyturn being killed) once this many events have been written. */
  killAfter: number | null = null;
  async append(e: RunEvent): Promise<void> {
    if (this.killAfter !== null && this.events.length >= this.killAfter) throw new Killed();
    this.events.push(JSON.parse(JSON.stringify(e)) as RunEvent);
  }
}

export class Killed extends Error {
  constructor() {
    super('killed');
  }
}

const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
const nope = <T>(): ApiResult<T> => ({ ok: false, failure: { kind: 'error', status: null, detail: 'not in fake' } });

export function fakeKube(fake: FakeCluster): KubeGateway {
  const kubeNode = (name: string): KubeNode => ({
    name,
    labels: {},
    annotations: {},
    internalIP: null,
    kubeletVersion: '',
    providerID: null,
    conditions: [{ type: 'Ready', status: fake.nodes.get(name)?.state === 'active' ? 'True' : 'False' }],
  });
  return {
    server: 'https://fake:6443',
    readyz: async () => ok('ok'),
    listNodes: async () => ok([...fake.nodes.keys()].map(kubeNode)),
    getNode: async (name) =>
      fake.nodes.has(name) ? ok(kubeNode(name)) : { ok: false, failure: { kind: 'not-found', detail: name } },
    patchNodeAnnotations: async () => nope(),
    listEvents: async () => ok([]),
    countSecrets: async () => ok(0),
    getLease: async () => nope(),
    createLease: async () => nope(),
    updateLease: async () => nope(),
    deleteLease: async () => nope(),
  };
}

export interface Harness {
  ports: RunPorts;
  clock: FakeClock;
  confirm: ScriptedConfirm;
  journal: MemoryJournal;
  logs: LogEvent[];
}

export function harness(
  fake: FakeCluster,
  clock: FakeClock,
  confirm = new ScriptedConfirm(),
  journal = new MemoryJournal(),
): Harness {
  const logs: LogEvent[] = [];
  const ports: RunPorts = {
    shell: (n) => fake.shell(n),
    kube: fakeKube(fake),
    clock,
    confirm,
    journal,
    log: { emit: (e) => logs.push(e) },
  };
  return { ports, clock, confirm, journal, logs };
}
