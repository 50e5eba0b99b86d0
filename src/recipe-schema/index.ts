export * from './types.js';
export { validateRecipe } from './validate.js';
export type { Validation } from './validate.js';
