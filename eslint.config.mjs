// Type-aware lint with the layering arrows of docs/ARCHITECTURE.md enforced from day one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'zlib', 'url', 'util', 'stream', 'events', 'worker_threads'];

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'ledger/chaincode/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.node.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src-shared', from: ['./src-main', './src-renderer', './preload', './ledger', './tools'], message: 'src-shared is plain TypeScript shared by every runtime.' },
            { target: './src-renderer', from: ['./src-main', './preload', './ledger', './tools'], message: 'The renderer reaches main only through the IPC contract (src-renderer/lib/api.ts).' },
            { target: './preload', from: ['./src-main', './src-renderer', './ledger', './tools'], message: 'The preload only bridges the contract.' },
            { target: './src-main', from: ['./src-renderer', './preload'], message: 'Main does not import renderer or preload code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'src-shared runs everywhere.' }], patterns: [{ group: nodeBuiltins, message: 'src-shared imports no node built-ins.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The renderer has no electron access.' }], patterns: [{ group: nodeBuiltins, message: 'The renderer has no node access.' }] }],
    },
  },
  {
    // Only the app wiring and the platform wrappers may touch electron.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/platform/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/app and src-main/platform import electron; domain services run in plain Node.' }] }],
    },
  },
  {
    files: ['tests/**/*.ts', 'tools/**/*.ts', 'ledger/devnet/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
