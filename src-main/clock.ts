/** Time as the services see it, injectable so lockout and auto-lock are testable without waiting. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: unknown };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => {
    const t = setTimeout(callback, ms);
    // A pending auto-lock must not keep a test process or a CLI alive.
    t.unref();
    return { id: t };
  },
  clearTimer: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
};
