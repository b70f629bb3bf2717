import { useEffect, useRef } from 'react';
import { api } from '../../lib/api';
import { useSessionStore } from '../session/store';

/**
 * Activity is reported at most this often. The shortest auto-lock is one minute, so the
 * service never lags more than a third of it behind what the user did.
 */
export const ACTIVITY_REPORT_INTERVAL_MS = 20_000;

/** Small grace after the deadline so the service's own lock normally wins the race. */
const DEADLINE_GRACE_MS = 1_000;

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

/**
 * Keeps the session alive while someone is using the workstation, and locks it when they
 * are not.
 *
 * - User input is reported to the service with `session.activity`, throttled (leading and
 *   trailing) so the last input is always reported.
 * - The service locks the session on its own at `locksAt` and pushes a `session` event.
 *   The screen does not rely on that push alone: when the deadline passes here with no
 *   unreported input, it asks the service to lock now. Either way the lock comes from the
 *   service, and the next screen is whatever state the service returns.
 */
export function useInactivityLock(locksAt: string): void {
  const apply = useSessionStore((s) => s.apply);
  // 0 until the effect below stamps them: render must stay pure.
  const lastInput = useRef(0);
  const lastReport = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    // Signing in (or unlocking) was itself reported activity.
    lastInput.current = Date.now();
    lastReport.current = lastInput.current;

    function report(): void {
      lastReport.current = Date.now();
      void api['session.activity']({}).then((result) => {
        if (result.ok) apply(result.value);
      });
    }

    function onInput(): void {
      lastInput.current = Date.now();
      const since = lastInput.current - lastReport.current;
      if (since >= ACTIVITY_REPORT_INTERVAL_MS) {
        report();
      } else if (trailing.current === null) {
        trailing.current = setTimeout(() => {
          trailing.current = null;
          report();
        }, ACTIVITY_REPORT_INTERVAL_MS - since);
      }
    }

    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onInput, { capture: true });
      if (trailing.current !== null) clearTimeout(trailing.current);
      trailing.current = null;
    };
  }, [apply]);

  useEffect(() => {
    const delay = Math.max(0, Date.parse(locksAt) - Date.now()) + DEADLINE_GRACE_MS;
    const timer = setTimeout(() => {
      if (lastInput.current > lastReport.current) {
        // Input the service has not heard about yet: report it instead of locking.
        lastReport.current = Date.now();
        void api['session.activity']({}).then((result) => {
          if (result.ok) apply(result.value);
        });
        return;
      }
      void api['session.lock']({}).then((result) => {
        if (result.ok) apply(result.value);
        else void useSessionStore.getState().load();
      });
    }, delay);
    return () => clearTimeout(timer);
  }, [locksAt, apply]);
}
