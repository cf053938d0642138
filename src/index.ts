/** tfnas: neural architecture search on TensorFlow.js. */
export { useBackend, activeBackend, tf } from './backend';
export { BACKENDS, BACKEND_NAMES } from './backend/registry';
export { Rng } from './space/rng';
export const VERSION = '0.1.0';
