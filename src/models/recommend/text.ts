import type { Csr } from '../../core/csr.js';
import type { ItemText } from './contract.js';

/**
 * Catalog text -> weighted terms -> TF-IDF vectors, for content-based models. Pure functions, no
 * locale-dependent behaviour (no `localeCompare`, no `toLocaleLowerCase`), so the same catalog gives
 * the same vectors on every machine.
 */

/**
 * Common English function words that say nothing about a product. Kept small on purpose: words
 * such as "top", "back" or "light" are product words in a catalog.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being ' +
    'below between both but by can could did do does doing down during each few for from further had ' +
    'has have having he her here hers herself him himself his how i if in into is it its itself just ' +
    'me more most my myself no nor not now of off on once only or other our ours ourselves out over ' +
    'own per same she should so some such than that the their theirs them themselves then there these ' +
    'they this those through to too under until up very was we were what when where which while who ' +
    'whom why will with would you your yours yourself yourselves'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
// Tags start with a letter, '/' or '!' so that "size < 5 and > 3" keeps its words.
const MARKUP = /<[/!]?[a-z][^>]*>|<!--[\s\S]*?-->|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/gi;
const ASCII_WORD = /^[a-z]+$/;

/**
 * A light English plural stripper, so "kettles" meets "kettle" and "batteries" meets "battery".
 * Only plain a-z words longer than three letters change, and only their plural endings: -ies -> -y
 * (not -eies, -aies, nor four-letter words: "ties" -> "tie"), -sses/-xes/-ches/-shes lose "es",
 * and any other final -s goes (not -ss, -us, -is). No -ing/-ed stripping: it breaks product words
 * ("ring", "red").
 */
export function stem(word: string): string {
  if (word.length <= 3 || word.charCodeAt(word.length - 1) !== 115 /* s */ || !ASCII_WORD.test(word)) {
    return word;
  }
  if (word.length > 4 && word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) {
    return `${word.slice(0, -3)}y`;
  }
  if (word.endsWith('sses') || word.endsWith('xes') || word.endsWith('ches') || word.endsWith('shes')) {
    return word.slice(0, -2);
  }
  // Other -es plurals lose just the "s" ("kettles" -> "kettle", "shoes" -> "shoe").
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  return word.slice(0, -1);
}

/**
 * Words of free text: NFKC-normalized, lower-cased, split on anything that is not a letter, digit
 * or combining mark (so any script works), HTML tags and entities removed, stop words and single
 * ASCII characters dropped, optionally {@link stem}med. Scripts written without spaces (Chinese,
 * Japanese, Thai) come out as whole runs, not words.
 */
export function tokenize(text: string, stemming = true): string[] {
  const out: string[] = [];
  const clean = text.replace(MARKUP, ' ').normalize('NFKC').toLowerCase();
  for (const m of clean.matchAll(WORD)) {
    const w = m[0];
    if (w.length === 1 && w.charCodeAt(0) < 128) continue;
    if (STOP_WORDS.has(w)) continue;
    out.push(stemming ? stem(w) : w);
  }
  return out;
}

/** A label as one token: normalized, lower-cased, trimmed, inner whitespace collapsed to one space. */
export function label(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/**
 * "Home > Kitchen > Kettles" -> `cat:home`, `cat:home>kitchen`, `cat:home>kitchen>kettles`, so
 * items of sibling subcategories still share their parents.
 */
export function categoryTokens(path: string): string[] {
  const levels = path
    .split('>')
    .map(label)
    .filter((l) => l !== '');
  return levels.map((_, i) => `cat:${levels.slice(0, i + 1).join('>')}`);
}

/**
 * `attr:<key>=<value>` for each scalar attribute value, so "color=red" matches exactly (arrays give
 * one token per element; objects and nulls none).
 */
export function attributeTokens(attributes: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, raw] of Object.entries(attributes)) {
    const k = label(key);
    if (k === '') continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const v =
        typeof value === 'string'
          ? label(value)
          : typeof value === 'number' && Number.isFinite(value)
            ? String(value)
            : typeof value === 'boolean'
              ? String(value)
              : '';
      if (v !== '') out.push(`attr:${k}=${v}`);
    }
  }
  return out;
}

/** How much one occurrence-run of a term in each field counts; 0 ignores the field. */
export interface FieldWeights {
  title: number;
  description: number;
  category: number;
  brand: number;
  attributes: number;
  tags: number;
}

/**
 * The weighted term frequencies of one item: for each field, a term seen c times adds
 * `weight * (1 + ln c)` (sublinear tf per field, then summed over fields). Title and description
 * words share one vocabulary; category, brand, attribute and tag tokens are prefixed (`cat:`,
 * `brand:`, `attr:`, `tag:`) so they never collide with words.
 */
export function itemTerms(item: ItemText, weights: FieldWeights, stemming = true): Map<string, number> {
  const terms = new Map<string, number>();
  const field = (tokens: readonly string[], weight: number) => {
    if (weight === 0 || tokens.length === 0) return;
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, c] of counts) terms.set(t, (terms.get(t) ?? 0) + weight * (1 + Math.log(c)));
  };
  if (item.title) field(tokenize(item.title, stemming), weights.title);
  if (item.description) field(tokenize(item.description, stemming), weights.description);
  if (item.category) field(categoryTokens(item.category), weights.category);
  if (item.brand) {
    const b = label(item.brand);
    if (b !== '') field([`brand:${b}`], weights.brand);
  }
  if (item.attributes) field(attributeTokens(item.attributes), weights.attributes);
  if (item.tags) {
    field(
      item.tags.map(label).flatMap((t) => (t === '' ? [] : [`tag:${t}`])),
      weights.tags,
    );
  }
  return terms;
}

/** Which terms a TF-IDF vocabulary keeps. */
export interface VocabularyOptions {
  /** Drop terms found in fewer items than this. */
  minDf: number;
  /** Drop terms found in more than this share of the items that have any text (1 keeps all). */
  maxDfRatio: number;
  /** Keep at most this many terms, those found in the most items (ties: the smaller string). */
  maxFeatures: number;
}

/** A fitted TF-IDF space. */
export interface TfIdf {
  /** Term of each column. */
  vocabulary: string[];
  /** Smoothed inverse document frequency of each column. */
  idf: Float32Array;
  /** documents x vocabulary, rows L2-normalized; documents without kept terms have empty rows. */
  vectors: Csr;
  /** Documents that had at least one term before pruning (the n of the idf). */
  documents: number;
}

/**
 * TF-IDF over weighted term bags: idf = ln((1 + n) / (1 + df)) + 1 with n the documents that have
 * any term, vocabulary pruned by {@link VocabularyOptions}, rows L2-normalized and stored as a
 * Float32 CSR whose columns follow the terms' first appearance (deterministic for the same input).
 * `checkpoint` runs every 1,024 documents (to honor cancellation).
 */
export function tfidf(
  bags: readonly ReadonlyMap<string, number>[],
  options: VocabularyOptions,
  checkpoint?: () => void,
): TfIdf {
  // Intern terms so memory grows with distinct terms plus one (id, weight) pair per entry.
  const ids = new Map<string, number>();
  const names: string[] = [];
  let df = new Uint32Array(1024);
  const ptr = new Uint32Array(bags.length + 1);
  let total = 0;
  for (const bag of bags) total += bag.size;
  const termOf = new Uint32Array(total);
  const weightOf = new Float64Array(total);
  let at = 0;
  let documents = 0;
  for (let d = 0; d < bags.length; d++) {
    const bag = bags[d]!;
    if (bag.size > 0) documents++;
    for (const [term, w] of bag) {
      let id = ids.get(term);
      if (id === undefined) {
        id = names.length;
        ids.set(term, id);
        names.push(term);
        if (id >= df.length) {
          const grown = new Uint32Array(df.length * 2);
          grown.set(df);
          df = grown;
        }
      }
      df[id]!++;
      termOf[at] = id;
      weightOf[at++] = w;
    }
    ptr[d + 1] = at;
    if ((d & 1023) === 1023) checkpoint?.();
  }

  // Vocabulary: df within [minDf, maxDfRatio * n], then the maxFeatures most frequent.
  const maxDf = options.maxDfRatio * documents;
  let candidates: number[] = [];
  for (let id = 0; id < names.length; id++) {
    const f = df[id]!;
    if (f >= options.minDf && f <= maxDf) candidates.push(id);
  }
  if (candidates.length > options.maxFeatures) {
    candidates.sort(
      (a, b) => df[b]! - df[a]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0),
    );
    candidates = candidates.slice(0, options.maxFeatures).sort((a, b) => a - b);
  }
  const column = new Int32Array(names.length).fill(-1);
  const vocabulary = candidates.map((id, c) => {
    column[id] = c;
    return names[id]!;
  });
  const idf = Float32Array.from(candidates, (id) => Math.log((1 + documents) / (1 + df[id]!)) + 1);

  // Rows: weight * idf, columns sorted, L2-normalized.
  const indptr = new Uint32Array(bags.length + 1);
  const indices = new Uint32Array(total);
  const values = new Float32Array(total);
  const dense = new Float64Array(vocabulary.length);
  let nnz = 0;
  for (let d = 0; d < bags.length; d++) {
    const start = nnz;
    for (let k = ptr[d]!; k < ptr[d + 1]!; k++) {
      const c = column[termOf[k]!]!;
      if (c < 0) continue;
      dense[c] = weightOf[k]! * idf[c]!;
      indices[nnz++] = c;
    }
    const cols = indices.subarray(start, nnz).sort();
    let norm = 0;
    for (const c of cols) norm += dense[c]! * dense[c]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = start; k < nnz; k++) values[k] = dense[indices[k]!]! / norm;
    else nnz = start; // only zero weights: an empty row, never NaN
    indptr[d + 1] = nnz;
    if ((d & 1023) === 1023) checkpoint?.();
  }
  return {
    vocabulary,
    idf,
    vectors: {
      rows: bags.length,
      cols: vocabulary.length,
      indptr,
      indices: indices.slice(0, nnz),
      values: values.slice(0, nnz),
    },
    documents,
  };
}
