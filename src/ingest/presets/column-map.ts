/**
 * `--map col=field,...`: renames source columns (CSV headers, Parquet columns, top-level JSON keys)
 * before a preset reads them, so files with other column names import without editing them.
 */

/** Parsed `--map` renames. */
export class ColumnMap {
  private constructor(private readonly renames: ReadonlyMap<string, string>) {}

  /** No renames. */
  static readonly none = new ColumnMap(new Map());

  /** Parses `a=b,c=d` (or an object of renames); throws a one-line error naming `--map` when malformed. */
  static parse(spec: string | Readonly<Record<string, string>> | undefined): ColumnMap {
    if (spec === undefined) return ColumnMap.none;
    const pairs: [string, string][] =
      typeof spec === 'string'
        ? spec
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
            .map((part) => {
              const eq = part.indexOf('=');
              if (eq <= 0 || eq === part.length - 1) {
                throw new Error(`--map: expected col=field pairs separated by commas, got "${part}"`);
              }
              return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
            })
        : Object.entries(spec);
    const renames = new Map<string, string>();
    for (const [from, to] of pairs) {
      if (!from || !to) throw new Error(`--map: empty column name in "${from}=${to}"`);
      if (renames.has(from)) throw new Error(`--map: column "${from}" is mapped twice`);
      renames.set(from, to);
    }
    return new ColumnMap(renames);
  }

  /** Number of renames. */
  get size(): number {
    return this.renames.size;
  }

  /**
   * Renames header names. A mapped column replaces an unmapped one of the same file that already
   * had the target name; the replaced column comes back as `''`, which readers skip.
   */
  columns(names: readonly string[]): string[] {
    if (this.renames.size === 0) return [...names];
    const targets = new Set(names.map((n) => this.renames.get(n)).filter((t) => t !== undefined));
    return names.map((n) => this.renames.get(n) ?? (targets.has(n) ? '' : n));
  }

  /** Renames the top-level keys of a JSON record; a mapped key replaces an existing target key. */
  keys(record: Record<string, unknown>): Record<string, unknown> {
    if (this.renames.size === 0) return record;
    let out: Record<string, unknown> | null = null;
    for (const [from, to] of this.renames) {
      if (!Object.hasOwn(record, from)) continue;
      out ??= { ...record };
      const value = out[from];
      delete out[from];
      out[to] = value;
    }
    return out ?? record;
  }

  /** Throws when a mapped column is in none of the files, listing the columns that are. */
  check(available: readonly string[]): void {
    const known = new Set(available);
    for (const from of this.renames.keys()) {
      if (!known.has(from)) {
        const list =
          available.length > 0 ? available.join(', ') : '(none: these files have no named columns)';
        throw new Error(`--map: unknown column "${from}"; available columns: ${list}`);
      }
    }
  }
}
