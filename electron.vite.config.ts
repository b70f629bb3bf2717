/**
 * Three builds: the main process (src-main/app/main.ts -> out/main/index.js, and its sync
 * thread src-main/sync/sync-thread.ts -> out/main/sync-thread.js), the sandboxed
 * preload (preload/index.ts -> out/preload/index.cjs: sandboxed preloads cannot be ES modules)
 * and the renderer (src-renderer -> out/renderer), which the app:// protocol and the web host
 * both serve.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src-main/security/csp';

const root = import.meta.dirname;

/**
 * The CSP also goes into the page as a meta tag: the protocol handler and the web host send it
 * as a header (the one that counts), and the meta tag keeps the page safe if it is ever opened
 * some other way. `frame-ancestors` only works as a header, so it is left out here.
 */
function cspMetaTag(): Plugin {
  const policy = CONTENT_SECURITY_POLICY.split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ');
  return {
    name: 'careledger-csp-meta',
    // Build only: the dev server's hot-reload preamble is an inline script the policy forbids.
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }],
    },
  };
}

/**
 * @doyensec/electronegativity (npm run test:security) parses the built main and preload with
 * an older parser that cannot read class private members; esbuild lowers them to WeakMaps
 * without changing behaviour, so the scanner sees all of our code instead of skipping it.
 */
const lowerForScanner: Record<string, boolean> = {
  'class-private-field': false,
  'class-private-method': false,
  'class-private-accessor': false,
  'class-private-static-field': false,
  'class-private-static-method': false,
  'class-private-static-accessor': false,
  'class-private-brand-check': false,
};

export default defineConfig({
  main: {
    esbuild: { supported: lowerForScanner },
    build: {
      outDir: resolve(root, 'out/main'),
      // The sync thread is its own entry: a worker_thread loads it from out/main/sync-thread.js.
      rollupOptions: { input: { index: resolve(root, 'src-main/app/main.ts'), 'sync-thread': resolve(root, 'src-main/sync/sync-thread.ts') } },
    },
  },
  preload: {
    esbuild: { supported: lowerForScanner },
    build: {
      // A sandboxed preload can require nothing but electron: bundle zod and the contract in.
      externalizeDeps: false,
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: '/',
    plugins: [react(), cspMetaTag()],
    // The renderer is scanned too (its code reaches the preload's functions): same lowering.
    esbuild: { supported: lowerForScanner },
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves the renderer unminified; minified, the sign-in screen has a
      // third of the script to parse before its first render.
      minify: 'esbuild',
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
