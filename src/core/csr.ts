/**
 * Compressed sparse rows: the one layout every recommender reads (users x items). Column indices
 * within a row are sorted and unique.
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** Row r spans indices[indptr[r] .. indptr[r + 1]). Length rows + 1. */
  readonly indptr: Uint32Array;
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** One sparse row (views into a matrix, or standalone for a user not seen in training). */
export interface SparseRow {
  indices: Uint32Array;
  values: Float32Array;
}

/** How repeated (row, col) entries combine ('or': bit flags, up to 24 bits). */
export type Combine = 'sum' | 'max' | 'last' | 'or';

/**
 * Builds a CSR from coordinate triplets (any order). Repeated cells are combined; `last` keeps the
 * one that comes last in the input.
 */
export function csrFromCoo(
  rows: number,
  cols: number,
  r: ArrayLike<number>,
  c: ArrayLike<number>,
  v: ArrayLike<number>,
  combine: Combine = 'sum',
): Csr {
  const n = r.length;
  const counts = new Uint32Array(rows + 1);
  for (let i = 0; i < n; i++) {
    const row = r[i]!;
    if (row >= rows || c[i]! >= cols)
      throw new RangeError(`entry (${row}, ${c[i]}) outside ${rows} x ${cols}`);
    counts[row + 1]!++;
  }
  for (let i = 0; i < rows; i++) counts[i + 1]! += counts[i]!;
  // Counting sort by row keeps input order within a row (needed for 'last').
  const order = new Uint32Array(n);
  const next = counts.slice(0, rows);
  for (let i = 0; i < n; i++) order[next[r[i]!]!++] = i;
  const indptr = new Uint32Array(rows + 1);
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  let out = 0;
  const cell = new Map<number, number>();
  for (let row = 0; row < rows; row++) {
    indptr[row] = out;
    const start = counts[row]!;
    const end = counts[row + 1]!;
    cell.clear();
    const rowStart = out;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      const col = c[i]!;
      const at = cell.get(col);
      if (at === undefined) {
        cell.set(col, out);
        indices[out] = col;
        values[out] = v[i]!;
        out++;
      } else if (combine === 'sum') values[at]! += v[i]!;
      else if (combine === 'max') values[at] = Math.max(values[at]!, v[i]!);
      else if (combine === 'or') values[at] = values[at]! | v[i]!;
      else values[at] = v[i]!;
    }
    sortRow(indices, values, rowStart, out);
  }
  indptr[rows] = out;
  return { rows, cols, indptr, indices: indices.slice(0, out), values: values.slice(0, out) };
}

function sortRow(indices: Uint32Array, values: Float32Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    if (indices[i - 1]! <= indices[i]!) continue;
    // Rows are short and mostly sorted: insertion sort, with a full sort for long rows.
    if (end - start > 64) {
      const pairs = Array.from(
        { length: end - start },
        (_, k) => [indices[start + k]!, values[start + k]!] as const,
      );
      pairs.sort((a, b) => a[0] - b[0]);
      pairs.forEach(([col, val], k) => {
        indices[start + k] = col;
        values[start + k] = val;
      });
      return;
    }
    for (let j = i; j > start && indices[j - 1]! > indices[j]!; j--) {
      const ci = indices[j]!;
      indices[j] = indices[j - 1]!;
      indices[j - 1] = ci;
      const vi = values[j]!;
      values[j] = values[j - 1]!;
      values[j - 1] = vi;
    }
  }
}

/** The transpose (items x users from users x items). */
export function transpose(m: Csr): Csr {
  const nnz = m.indices.length;
  const indptr = new Uint32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k]! + 1]!++;
  for (let i = 0; i < m.cols; i++) indptr[i + 1]! += indptr[i]!;
  const next = indptr.slice(0, m.cols);
  const indices = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const at = next[m.indices[k]!]!++;
      indices[at] = r;
      values[at] = m.values[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Row `r` as views into the matrix; an empty row for an index outside it (a user not in training). */
export function row(m: Csr, r: number): SparseRow {
  if (!(r >= 0 && r < m.rows)) return { indices: new Uint32Array(0), values: new Float32Array(0) };
  const start = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(start, end), values: m.values.subarray(start, end) };
}

/** Number of stored entries in row `r`. */
export function rowLength(m: Csr, r: number): number {
  return m.indptr[r + 1]! - m.indptr[r]!;
}

/** A matrix from a list of rows (each sorted and unique). */
export function csrFromRows(rows: readonly SparseRow[], cols: number): Csr {
  const indptr = new Uint32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) indptr[r + 1] = indptr[r]! + rows[r]!.indices.length;
  const indices = new Uint32Array(indptr[rows.length]!);
  const values = new Float32Array(indptr[rows.length]!);
  rows.forEach((x, r) => {
    indices.set(x.indices, indptr[r]!);
    values.set(x.values, indptr[r]!);
  });
  return { rows: rows.length, cols, indptr, indices, values };
}

/** Count of non-empty rows per column (how many users touched each item). */
export function columnCounts(m: Csr): Uint32Array {
  const counts = new Uint32Array(m.cols);
  for (let k = 0; k < m.indices.length; k++) counts[m.indices[k]!]!++;
  return counts;
}
