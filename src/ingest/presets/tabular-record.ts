/**
 * Building JSON records from flat columns (CSV, Parquet). A dot in a column name nests:
 * `properties.product_id` and `attributes.color` become `{properties: {product_id}}` and
 * `{attributes: {color}}`. Empty cells are absent, so a blank price is "no price", not an error.
 */

/** A column name split into its path once per file instead of once per cell. */
export type ColumnPath = readonly string[] | null;

/** Splits column names into paths; `''` (a column replaced by `--map`) becomes null and is skipped. */
export function columnPaths(names: readonly string[]): ColumnPath[] {
  return names.map((n) => (n === '' ? null : n.split('.').filter((p) => p !== '')));
}

/** Sets a value at a path, creating the intermediate objects. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = obj[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      obj[key] = next;
    }
    obj = next as Record<string, unknown>;
  }
  obj[path[path.length - 1]!] = value;
}

const CANONICAL_NUMBER = /^-?(0|[1-9]\d{0,14})(\.\d*[1-9])?$/;

/**
 * Reads a CSV cell. Top-level envelope fields stay text (the schemas coerce them, and an id like
 * "00123" must keep its zeros), except a JSON object or array, which is parsed. Inside free-form
 * objects (properties, traits, attributes, context), canonical numbers and true/false become
 * JSON numbers and booleans, since a CSV cannot say which it meant and analytics want numbers.
 */
export function cellValue(path: readonly string[], text: string): unknown {
  const first = text.charCodeAt(0);
  if (first === 123 /* { */ || first === 91 /* [ */) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (path.length === 1) return text;
  if (CANONICAL_NUMBER.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

/** Builds a nested record from one row of cells. */
export function tabularRecord(
  paths: readonly ColumnPath[],
  cells: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.min(paths.length, cells.length);
  for (let i = 0; i < n; i++) {
    const path = paths[i];
    const cell = cells[i]!;
    if (!path || path.length === 0 || cell === '') continue;
    setPath(out, path, cellValue(path, cell));
  }
  return out;
}

/** Nests the dotted keys of a Parquet row (`{"properties.sku": 1}` → `{properties: {sku: 1}}`). */
export function nestDottedKeys(row: Record<string, unknown>): Record<string, unknown> {
  let dotted = false;
  for (const key in row) {
    if (key.includes('.')) {
      dotted = true;
      break;
    }
  }
  if (!dotted) return row;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) setPath(out, key.split('.'), value);
  return out;
}
