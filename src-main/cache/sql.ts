/**
 * The only way to write SQL in the workstation: a tagged template that turns every
 * interpolation into a bound parameter and yields `[query, params]`. Identifiers come from the
 * code, never from data; a nested `sql` fragment is inlined with its own parameters.
 */
export type SqlValue = string | number | bigint | boolean | Buffer | Uint8Array | null;

declare const sqlBrand: unique symbol;
/** A parameterised query: `[text with ? placeholders, parameters]`. */
export type SqlQuery = readonly [query: string, params: readonly SqlValue[]] & { readonly [sqlBrand]: true };

const made = new WeakSet<object>();

function brand(query: string, params: readonly SqlValue[]): SqlQuery {
  const q = Object.freeze([query, Object.freeze([...params])]) as unknown as SqlQuery;
  made.add(q);
  return q;
}

function isSqlQuery(value: unknown): value is SqlQuery {
  return typeof value === 'object' && value !== null && made.has(value);
}

/** `sql\`SELECT * FROM staff_identity WHERE id = ${id}\`` -> `['SELECT … WHERE id = ?', [id]]`. */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | SqlQuery)[]): SqlQuery {
  let text = strings[0] ?? '';
  const params: SqlValue[] = [];
  values.forEach((value, i) => {
    if (isSqlQuery(value)) {
      text += value[0];
      params.push(...value[1]);
    } else {
      text += '?';
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    text += strings[i + 1] ?? '';
  });
  return brand(text, params);
}

/** Joins fragments (e.g. the rows of a multi-row INSERT) with a fixed separator. */
export function sqlJoin(parts: readonly SqlQuery[], separator = ', '): SqlQuery {
  return brand(parts.map((p) => p[0]).join(separator), parts.flatMap((p) => p[1]));
}

/**
 * An integer written into the query text, for the few places SQLite takes no parameter
 * (`PRAGMA user_version = n`). Only safe integers pass, so no data can become SQL.
 */
export function sqlInteger(n: number): SqlQuery {
  if (!Number.isSafeInteger(n)) throw new TypeError(`sqlInteger: ${n} is not a safe integer`);
  return brand(String(n), []);
}

/**
 * A table or column name written into the query text, quoted. For the rescue path, which
 * copies tables named in code with columns read from the app's own schema; only plain names
 * (letters, digits, underscore) pass, so no data can become SQL.
 */
export function sqlIdentifier(name: string): SqlQuery {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new TypeError(`sqlIdentifier: ${JSON.stringify(name)} is not a plain name`);
  return brand(`"${name}"`, []);
}
