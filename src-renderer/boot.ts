/**
 * Evaluated before anything else in the bundle (the entry imports it first): sends the first
 * screen's one call now, so its round trip overlaps with evaluating React, zod and the
 * contract's schemas instead of following them. `App` picks the answer up (lib/api.ts
 * `loadStartState`).
 */
import { sendStartStateEarly } from './lib/wire';

sendStartStateEarly();
