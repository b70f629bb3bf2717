import type { WriteHandle } from '../database';

/** One forward-only schema step. `version` is its number in the ordered list (1, 2, 3, …). */
export interface Migration {
  version: number;
  name: string;
  up(w: WriteHandle): Promise<void>;
}
