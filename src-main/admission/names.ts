/**
 * Name comparison for patient matching: the ways the same person's name is written
 * differently at two desks (case, accents, hyphens and spaces in double names, nicknames,
 * given and family names swapped, a typo) reduced to comparable forms.
 */

const NORMALISED_LIMIT = 4096;
/** A match scores each candidate four ways, so the same few names are normalised again and again. */
const normalised = new Map<string, string>();

/** Lower case, accents removed, hyphens/apostrophes/dots as spaces, single spaces. */
export function normaliseName(name: string): string {
  const hit = normalised.get(name);
  if (hit !== undefined) return hit;
  const n = normaliseUncached(name);
  if (normalised.size >= NORMALISED_LIMIT) normalised.clear();
  normalised.set(name, n);
  return n;
}

function normaliseUncached(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[-‐‑’'.,_]/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of a name after normalising. */
export function nameTokens(name: string): string[] {
  const n = normaliseName(name);
  return n === '' ? [] : n.split(' ');
}

/**
 * Common English given-name variants, both directions through a canonical form. Short on
 * purpose: a nickname list that is too generous merges different people.
 */
const NICKNAME_GROUPS: readonly (readonly string[])[] = [
  ['william', 'bill', 'billy', 'will', 'willy', 'liam'],
  ['robert', 'bob', 'bobby', 'rob', 'robbie', 'bert'],
  ['richard', 'rick', 'ricky', 'dick', 'rich'],
  ['elizabeth', 'liz', 'lizzie', 'beth', 'betty', 'eliza', 'elisabeth', 'isabel'],
  ['margaret', 'maggie', 'meg', 'peggy', 'margo', 'marge'],
  ['katherine', 'catherine', 'kathryn', 'kate', 'katie', 'kathy', 'cathy', 'kat'],
  ['james', 'jim', 'jimmy', 'jamie'],
  ['john', 'johnny', 'jack', 'jon'],
  ['jonathan', 'jon', 'jonny'],
  ['michael', 'mike', 'mikey', 'mick'],
  ['thomas', 'tom', 'tommy'],
  ['joseph', 'joe', 'joey'],
  ['charles', 'charlie', 'chuck'],
  ['edward', 'ed', 'eddie', 'ted', 'teddy', 'ned'],
  ['alexander', 'alex', 'sandy', 'xander'],
  ['alexandra', 'alex', 'sandra', 'lexi'],
  ['daniel', 'dan', 'danny'],
  ['david', 'dave', 'davey'],
  ['anthony', 'tony'],
  ['christopher', 'chris', 'kit'],
  ['christine', 'chris', 'chrissy', 'tina'],
  ['patricia', 'pat', 'patty', 'trish'],
  ['patrick', 'pat', 'paddy'],
  ['jennifer', 'jen', 'jenny'],
  ['susan', 'sue', 'susie', 'suzanne'],
  ['deborah', 'debbie', 'deb'],
  ['rebecca', 'becky', 'becca'],
  ['victoria', 'vicky', 'tori'],
  ['samuel', 'sam', 'sammy'],
  ['samantha', 'sam', 'sammy'],
  ['benjamin', 'ben', 'benny'],
  ['nicholas', 'nick', 'nicky'],
  ['matthew', 'matt'],
  ['andrew', 'andy', 'drew'],
  ['steven', 'stephen', 'steve'],
  ['joshua', 'josh'],
  ['maria', 'mary', 'marie', 'mia'],
  ['francisco', 'paco', 'frank', 'francis'],
  ['jose', 'pepe'],
  ['manuel', 'manolo', 'manny'],
  ['giuseppe', 'beppe', 'joseph'],
  ['aleksandr', 'alexander', 'sasha'],
  ['mohammed', 'muhammad', 'mohamed', 'mohammad'],
];

const NICKNAMES = new Map<string, Set<string>>();
for (const group of NICKNAME_GROUPS) {
  for (const name of group) {
    const set = NICKNAMES.get(name) ?? new Set<string>();
    for (const other of group) if (other !== name) set.add(other);
    NICKNAMES.set(name, set);
  }
}

/** Whether two (normalised, single-word) given names are known variants of each other. */
export function areNicknames(a: string, b: string): boolean {
  return a !== b && (NICKNAMES.get(a)?.has(b) ?? false);
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein restricted): insertions, deletions,
 * substitutions and swaps of two neighbouring letters each count 1. Stops early beyond `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const cols = b.length + 1;
  // Three rolling rows (i-2, i-1, i) instead of the whole table: the swap rule looks two back.
  let before = new Int32Array(cols);
  let prev = new Int32Array(cols);
  let row = new Int32Array(cols);
  for (let j = 0; j < cols; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (before[j - 2] as number) + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length] as number;
}

/** Edit distance allowed for a name of this length: none for very short names (Li vs Lu). */
export function allowedTypos(length: number): number {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  return 2;
}
