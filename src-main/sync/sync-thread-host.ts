/**
 * Starts the sync thread (sync-thread.ts) and speaks to it for the SyncService.
 *
 * Where the thread's code is: in the built app, `sync-thread.js` beside the main bundle
 * (electron.vite.config.ts builds it as its own entry); from the sources (the web host, tests,
 * benches, all under tsx or vitest) the `.ts` file, loaded through tsx's module API because a
 * worker does not inherit the parent's loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ConnectionStatus } from '../ledger/connection';
import type { DateTimePreferences } from '../../src-shared/datetime';
import type { Outcome, OutboxRow } from '../ledger/outbox';
import type { FromSyncThread, SyncThreadStart, ThreadSigner, ToSyncThread } from './sync-thread-protocol';

export interface SyncThreadListener {
  connection(status: ConnectionStatus, problem: string | null): void;
  changed(): void;
  /** Records an outcome (and runs its settlement handler) on this thread; rejects when it could not. */
  record(row: OutboxRow, outcome: Outcome): Promise<void>;
  /** The thread could not start (its connection to the cache or its code); nothing was sent by it. */
  failed(message: string): void;
  /** The thread's cache connection met a damaged page. */
  damaged(message: string): void;
  log?(line: string): void;
}

const ENTRY = 'sync-thread';

function spawn(start: SyncThreadStart): Worker {
  // In the build this code may sit in out/main/ or in a shared chunk under out/main/chunks/.
  const built = [new URL(`./${ENTRY}.js`, import.meta.url), new URL(`../${ENTRY}.js`, import.meta.url)].find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));
  if (built) return new Worker(built, { workerData: start });
  const source = new URL(`./${ENTRY}.ts`, import.meta.url);
  if (source.protocol !== 'file:' || !existsSync(fileURLToPath(source))) throw new Error(`the sync thread's code is missing beside ${import.meta.url}`);
  // tsx's ESM API by its package's export map (require.resolve would pick the CommonJS build).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(tsxPackage, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> }).exports;
  const api = exportsMap['./esm/api']?.import?.default;
  if (!api) throw new Error('tsx has no ESM API here: run the workstation from its sources with tsx, or build it');
  const tsx = pathToFileURL(path.join(path.dirname(tsxPackage), api)).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}))`;
  return new Worker(bootstrap, { eval: true, workerData: start });
}

export class SyncThread {
  readonly #worker: Worker;
  readonly #listener: SyncThreadListener;
  readonly #idle = new Map<number, () => void>();
  #nextIdle = 0;
  #exited: Promise<void>;
  #stopped = false;
  #failed = false;

  private constructor(worker: Worker, listener: SyncThreadListener) {
    this.#worker = worker;
    this.#listener = listener;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: FromSyncThread) => this.#receive(m));
    worker.on('error', (err) => {
      listener.log?.(`sync thread: ${err.stack ?? err.message}`);
      // An uncaught error ends the thread: whatever it was sending resumes from the cache.
      if (!this.#stopped && !this.#failed) {
        this.#failed = true;
        listener.failed(err.message);
      }
    });
    void this.#exited.then(() => {
      if (!this.#stopped && !this.#failed) {
        this.#failed = true;
        listener.failed('the sync thread ended by itself');
      }
      // Nobody will answer these any more; let waiters go on.
      for (const resolve of this.#idle.values()) resolve();
      this.#idle.clear();
    });
  }

  /**
   * Starts the thread. Returns at once: messages sent before the thread is ready wait for it,
   * and it reports its connection state as soon as it has one.
   * @throws Error when the thread's code cannot be found.
   */
  static start(start: SyncThreadStart, listener: SyncThreadListener): SyncThread {
    const worker = spawn(start);
    return new SyncThread(worker, listener);
  }

  #send(message: ToSyncThread): void {
    if (!this.#stopped) this.#worker.postMessage(message);
  }

  #receive(m: FromSyncThread): void {
    const l = this.#listener;
    switch (m.type) {
      case 'connection':
        l.connection(m.status, m.problem);
        break;
      case 'changed':
        l.changed();
        break;
      case 'record':
        l.record(m.row, m.outcome).then(
          () => this.#worker.postMessage({ type: 'recorded', id: m.id, error: null } satisfies ToSyncThread),
          (err: unknown) => this.#worker.postMessage({ type: 'recorded', id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ToSyncThread),
        );
        break;
      case 'idle': {
        const resolve = this.#idle.get(m.id);
        this.#idle.delete(m.id);
        resolve?.();
        break;
      }
      case 'log':
        l.log?.(m.line);
        break;
      case 'failed':
        if (!this.#failed) {
          this.#failed = true;
          l.failed(m.message);
        }
        break;
      case 'damaged':
        l.damaged(m.message);
        break;
      case 'ready':
      case 'stopped':
        break;
    }
  }

  setSigners(signers: ThreadSigner[]): void {
    this.#send({ type: 'signers', signers });
  }

  setOperations(operations: string[]): void {
    this.#send({ type: 'operations', operations });
  }

  wake(): void {
    this.#send({ type: 'wake' });
  }

  online(): void {
    this.#send({ type: 'online' });
  }

  setDates(preferences: DateTimePreferences): void {
    this.#send({ type: 'dates', preferences });
  }

  /** Resolves the next time the thread finds nothing it can send and nothing in flight (or it has exited). */
  whenIdle(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const id = ++this.#nextIdle;
      this.#idle.set(id, resolve);
      this.#send({ type: 'whenIdle', id });
    });
  }

  /**
   * Lets the rows in flight finish their current call, closes the thread's connections and
   * waits for it to exit. Outcomes it still asks this thread to record are answered meanwhile.
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.#stopped) return this.#exited;
    this.#worker.postMessage({ type: 'stop' } satisfies ToSyncThread);
    this.#stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const how = await Promise.race([this.#exited.then(() => 'exited' as const), late]);
    clearTimeout(timer);
    if (how === 'late') {
      // Every row resumes from its last persisted step, so cutting the thread short loses nothing.
      this.#listener.log?.('sync thread: did not stop in time; terminated');
      await this.#worker.terminate();
    }
  }
}
