/**
 * The web host's process-level last resort (issue 15 item 2): an error that escapes every
 * request's error boundary (a library callback, a timer, a promise nobody awaited) is logged
 * and the process keeps serving, instead of taking the cache and the embedded ledger down with
 * it. Each request is still answered by its own boundary (host.ts); this only catches what no
 * request owns. Installed by the CLI only: a library must not decide this for its host process.
 */
export function keepServingAfterStrayErrors(log: (line: string) => void): void {
  const describe = (err: unknown): string => (err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('uncaughtException', (err) => {
    log(`[web-host] unexpected error outside any request (still serving): ${describe(err)}`);
  });
  process.on('unhandledRejection', (reason) => {
    log(`[web-host] unhandled promise rejection (still serving): ${describe(reason)}`);
  });
}
