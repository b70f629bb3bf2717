/**
 * Three builds: the main process (src-main/app/main.ts -> out/main/index.js), the sandboxed
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
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }],
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: { input: { index: resolve(root, 'src-main/app/main.ts') } },
    },
  },
  preload: {
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
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
