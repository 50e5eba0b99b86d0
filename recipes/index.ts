// Every runbook keyturn knows, by name.
import type { Recipe } from '../src/recipe-schema/types.js';
import { recoverRestartLoop } from './recover-restart-loop.js';
import { renewExpiredCerts } from './renew-expired-certs.js';
import { rotateCa } from './rotate-ca.js';
import { rotateCerts } from './rotate-certs.js';
import { rotateEncryptionKeys } from './rotate-encryption-keys.js';

export const RECIPES: readonly Recipe[] = [
  rotateCerts,
  rotateEncryptionKeys,
  rotateCa,
  recoverRestartLoop,
  renewExpiredCerts,
];

export function findRecipe(name: string): Recipe | undefined {
  return RECIPES.find((r) => r.name === name);
}

export function recipeNames(): string[] {
  return RECIPES.map((r) => r.name);
}
