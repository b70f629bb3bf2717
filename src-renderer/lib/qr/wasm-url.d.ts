// Vite turns `import url from '…?url'` into the URL of an asset it copies into the build,
// served from the app's own origin.
declare module '*?url' {
  const url: string;
  export default url;
}
