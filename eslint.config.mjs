// Type-aware lint with the layering arrows of docs/ARCHITECTURE.md enforced from day one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'zlib', 'url', 'util', 'stream', 'events', 'worker_threads'];

const LAYER_ZONES = [
  { target: './src-shared', from: ['./src-main', './src-renderer', './preload', './ledger', './tools'], message: 'src-shared is plain TypeScript shared by every runtime.' },
  { target: './src-renderer', from: ['./src-main', './preload', './ledger', './tools'], message: 'The renderer reaches main only through the IPC contract (src-renderer/lib/api.ts).' },
  { target: './preload', from: ['./src-main', './src-renderer', './ledger', './tools'], message: 'The preload only bridges the contract.' },
  { target: './src-main', from: ['./src-renderer', './preload'], message: 'Main does not import renderer or preload code.' },
];
// The app (src-main) ships; tools/ (wallet simulator, benches, demo launchers) do not. Ledger
// administration both need is in ledger/admin (docs/ARCHITECTURE.md, "Ledger administration").
const MAIN_IS_NOT_A_TOOL = {
  target: './src-main',
  from: './tools',
  message: 'src-main ships in the app and must not import tools/ (not shipped). Ledger administration is in ledger/admin; wallet-side demo steps belong in tools/demo.',
};

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
    // The layering zones need imports resolved: TypeScript sources are imported without extension.
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.node'] })] },
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', { zones: [...LAYER_ZONES, MAIN_IS_NOT_A_TOOL] }],
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
  {
    // The demo seed still drives the wallet simulator (demo patients' wallets and credentials)
    // from src-main/demo; moving that wallet side to tools/demo is the remaining step
    // (docs/ARCHITECTURE.md, "Ledger administration"). Nothing else in src-main may.
    files: ['src-main/demo/seed.ts', 'src-main/demo/seed-*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }] },
  },
);
