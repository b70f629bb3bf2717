/**
 * electron-vite replaces `import.meta.env.DEV` when it bundles the main process: true only for
 * `electron-vite dev`, false in every build that can ship.
 */
interface ImportMetaEnv {
  readonly DEV: boolean;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
