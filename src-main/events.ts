import type { PushEvent } from '../src-shared/ipc/contract';

export type PushListener = (event: PushEvent) => void;

/** Fan-out of events from the services to every connected renderer (Electron window or SSE client). */
export class EventBus {
  readonly #listeners = new Set<PushListener>();

  subscribe(listener: PushListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: PushEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed socket) must not stop the others from hearing the event.
      }
    }
  }
}
