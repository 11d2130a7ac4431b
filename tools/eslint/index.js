/**
 * The local ESLint plugin `dme`: repository rules that encode our layering.
 * Loaded directly by eslint.config.js (plain ESM + JSDoc types, no build step).
 */
import importBoundary from './import-boundary.js';

/** @type {import('eslint').ESLint.Plugin} */
const plugin = {
  meta: { name: 'eslint-plugin-dme', version: '0.1.0' },
  rules: { 'import-boundary': importBoundary },
};

export default plugin;
