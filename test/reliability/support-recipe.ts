// rotate-certs with every step kind on each server: the shipped recipe, plus a pause (the operator checks the
// backup) and a wait (the unit back to active) between its own steps. No shipped recipe has a pause step yet, and
// the wait steps of the shipped recipes sit in confirm-less phases; this one lets one run stop at each kind.
import { rotateCerts } from '../../recipes/rotate-certs.js';
import type { Phase, Recipe, Step } from '../../src/recipe-schema/types.js';

const pause: Step = {
  id: 'check',
  kind: 'pause',
  title: 'Check the backup',
  message: 'Look at <data-dir>/server/tls.keyturn-* before the service stops.',
};
const wait: Step = {
  id: 'active',
  kind: 'wait',
  title: 'Service active',
  until: { condition: 'unit-state', states: ['active'] },
  timeoutSeconds: 120,
};

function withEveryKind(phase: Phase): Phase {
  if (phase.id !== 'servers') return phase;
  const steps: Step[] = [];
  for (const s of phase.steps) {
    steps.push(s);
    if (s.id === 'backup') steps.push(pause);
    if (s.id === 'start') steps.push(wait);
  }
  return { ...phase, steps };
}

export const everyKindRecipe: Recipe = {
  ...rotateCerts,
  name: 'rotate-certs-every-kind',
  title: 'Rotate certificates (every step kind)',
  phases: rotateCerts.phases.map(withEveryKind),
};

/** Step keys of the every-kind recipe: recipe/node/phase.step. */
export const keyOf = (node: string, step: string, phase = node.startsWith('agent') ? 'agents' : 'servers'): string =>
  `${everyKindRecipe.name}/${node}/${phase}.${step}`;
