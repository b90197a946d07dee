import { type Csr, row, type SparseRow, transpose } from '../../core/csr.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type FitOptions,
  type Fitted,
  type ItemText,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';
import { itemTerms, tfidf } from './text.js';

/** Hyperparameters of {@link content}. */
export interface ContentParams {
  /** Field weights: how much a field's terms count (0 ignores the field). */
  titleWeight: number;
  descriptionWeight: number;
  categoryWeight: number;
  brandWeight: number;
  attributesWeight: number;
  tagsWeight: number;
  /** Strip English plural endings from title and description words (see `stem` in text.ts). */
  stem: boolean;
  /** Drop terms found in fewer items than this. */
  minDf: number;
  /** Drop terms found in more than this share of the items that have text (1 keeps all). */
  maxDfRatio: number;
  /** Keep at most this many terms, the most frequent ones. */
  maxFeatures: number;
  /**
   * Halve an interaction's weight in the profile every this many days before `data.now` (needs
   * `data.lastSeen` and `data.now`; 0 = no decay). Leave 0 when the matrix is already decayed.
   */
  halfLifeDays: number;
}

const DEFAULTS: ContentParams = {
  titleWeight: 1,
  descriptionWeight: 0.5,
  categoryWeight: 1,
  brandWeight: 1,
  attributesWeight: 0.5,
  tagsWeight: 0.5,
  stem: true,
  minDf: 1,
  maxDfRatio: 0.9,
  maxFeatures: 50_000,
  halfLifeDays: 0,
};

const DAY = 86_400_000;

function validate(p: ContentParams): void {
  for (const key of [
    'titleWeight',
    'descriptionWeight',
    'categoryWeight',
    'brandWeight',
    'attributesWeight',
    'tagsWeight',
    'halfLifeDays',
  ] as const) {
    if (!(Number.isFinite(p[key]) && p[key] >= 0)) throw new Error(`content: ${key} must be a number >= 0`);
  }
  if (!(Number.isInteger(p.minDf) && p.minDf >= 1)) throw new Error('content: minDf must be an integer >= 1');
  if (!(p.maxDfRatio > 0 && p.maxDfRatio <= 1)) throw new Error('content: maxDfRatio must be in (0, 1]');
  if (!(Number.isInteger(p.maxFeatures) && p.maxFeatures >= 1)) {
    throw new Error('content: maxFeatures must be an integer >= 1');
  }
}

/** The content estimator: fit resolves to a {@link ContentModel}, so `explain` needs no cast. */
export interface ContentEstimator extends Estimator<ContentParams> {
  fit(data: TrainingData, options?: FitOptions): Promise<ContentModel>;
}

/**
 * Content-based recommendations: items are TF-IDF vectors of their catalog text, a shopper is the
 * weighted mean of the items they touched, and items score by cosine to it. The one model that
 * recommends items nobody has interacted with yet (new arrivals), and explains itself in words.
 */
export function content(params: Partial<ContentParams> = {}): ContentEstimator {
  const p = resolveParams('content', DEFAULTS, params);
  validate(p);
  return {
    name: 'content',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      const { signal, onProgress } = options;
      checkAbort(signal);
      const m = data.interactions;
      const catalog = data.items ?? [];
      if (catalog.length > m.cols) {
        throw new Error(
          `content: ${catalog.length} catalog items but only ${m.cols} item columns in interactions`,
        );
      }
      onProgress?.({ fraction: 0, message: 'tokenizing items' });
      const weights = fieldWeights(p);
      const empty = new Map<string, number>();
      const bags = Array.from({ length: m.cols }, (_, i) => {
        if ((i & 1023) === 1023) checkAbort(signal);
        const item = catalog[i];
        return item ? itemTerms(item, weights, p.stem) : empty;
      });
      onProgress?.({ fraction: 0.6, message: 'weighting terms' });
      const space = tfidf(bags, p, () => checkAbort(signal));
      checkAbort(signal);
      onProgress?.({ fraction: 0.9, message: 'building profiles' });
      const users = profileWeights(m, p.halfLifeDays, data.lastSeen, data.now);
      onProgress?.({ fraction: 1, message: 'done' });
      return new ContentModel(p, space.vectors, space.idf, space.vocabulary, users);
    },
  };
}

const fieldWeights = (p: ContentParams) => ({
  title: p.titleWeight,
  description: p.descriptionWeight,
  category: p.categoryWeight,
  brand: p.brandWeight,
  attributes: p.attributesWeight,
  tags: p.tagsWeight,
});

/**
 * The interactions as profile weights: time-decayed when asked (and timestamps are given),
 * non-positive or non-finite strengths dropped.
 */
function profileWeights(m: Csr, halfLifeDays: number, lastSeen?: Float64Array, now?: number): Csr {
  const decay = halfLifeDays > 0 && lastSeen !== undefined && now !== undefined;
  const indptr = new Uint32Array(m.rows + 1);
  const indices = new Uint32Array(m.indices.length);
  const values = new Float32Array(m.indices.length);
  let nnz = 0;
  for (let u = 0; u < m.rows; u++) {
    for (let k = m.indptr[u]!; k < m.indptr[u + 1]!; k++) {
      let w = m.values[k]!;
      if (decay) w *= 2 ** (-Math.max(0, now - lastSeen[k]!) / (halfLifeDays * DAY));
      if (!(w > 0 && Number.isFinite(w))) continue;
      indices[nnz] = m.indices[k]!;
      values[nnz++] = w;
    }
    indptr[u + 1] = nnz;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

/** A term's share of a score, for "because you liked ..." explanations. */
export interface TermContribution {
  term: string;
  /** profile weight x item weight; the contributions of all shared terms sum to the score. */
  weight: number;
}

const NO_ITEMS: SparseRow = { indices: new Uint32Array(0), values: new Float32Array(0) };

/** A fitted content model: item vectors, their inverted index, and the training users' weighted rows. */
export class ContentModel implements Fitted {
  readonly name = 'content';
  readonly items: number;
  /** vocabulary x items: scoring touches only items that share a term with the profile. */
  private readonly inverted: Csr;
  // Scratch reused across calls (scoring is synchronous, so calls never overlap).
  private readonly profile: Float64Array;
  private readonly terms: Uint32Array;
  private readonly sums: Float64Array;
  private columns: Map<string, number> | null = null;

  constructor(
    readonly params: Readonly<ContentParams>,
    /** items x vocabulary, rows L2-normalized (empty for items without text). */
    private readonly vectors: Csr,
    private readonly idf: Float32Array,
    /** The term of each vocabulary column. */
    readonly vocabulary: readonly string[],
    /** users x items profile weights (decayed when the params say so). */
    private readonly users: Csr,
  ) {
    this.items = vectors.rows;
    this.inverted = transpose(vectors);
    this.profile = new Float64Array(vectors.cols);
    this.terms = new Uint32Array(vectors.cols);
    this.sums = new Float64Array(vectors.rows);
  }

  score(user: UserInput, out: Float32Array): void {
    const n = this.buildProfile(user);
    this.scoreTerms(n, out);
  }

  similarItems(item: number, out: Float32Array): void {
    let n = 0;
    if (item >= 0 && item < this.items) {
      const v = this.vectors;
      for (let k = v.indptr[item]!; k < v.indptr[item + 1]!; k++) {
        const t = v.indices[k]!;
        this.profile[t] = v.values[k]!;
        this.terms[n++] = t;
      }
    }
    this.scoreTerms(n, out);
  }

  /**
   * The TF-IDF vector of an item the model was not fitted with (a catalog item added since), in
   * the fitted vocabulary: what lets a new arrival be recommended at once. Terms the vocabulary
   * lacks are ignored; an item without known terms gets an empty vector.
   */
  embed(item: ItemText): SparseRow {
    if (!this.columns) this.columns = new Map(this.vocabulary.map((t, c) => [t, c]));
    const cells: [number, number][] = [];
    for (const [term, w] of itemTerms(item, fieldWeights(this.params), this.params.stem)) {
      const c = this.columns.get(term);
      if (c !== undefined) cells.push([c, w * this.idf[c]!]);
    }
    cells.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(cells.reduce((s, [, w]) => s + w * w, 0));
    return {
      indices: Uint32Array.from(cells, ([c]) => c),
      values: Float32Array.from(cells, ([, w]) => (norm > 0 ? w / norm : 0)),
    };
  }

  /** Scores every fitted item by its cosine to a vector from {@link embed}. */
  similarToVector(vector: SparseRow, out: Float32Array): void {
    for (let k = 0; k < vector.indices.length; k++) {
      this.profile[vector.indices[k]!] = vector.values[k]!;
      this.terms[k] = vector.indices[k]!;
    }
    this.scoreTerms(vector.indices.length, out);
  }

  /** Cosine of a shopper's profile and a vector from {@link embed}. */
  affinity(user: UserInput, vector: SparseRow): number {
    const n = this.buildProfile(user);
    let sum = 0;
    for (let k = 0; k < vector.indices.length; k++)
      sum += this.profile[vector.indices[k]!]! * vector.values[k]!;
    for (let j = 0; j < n; j++) this.profile[this.terms[j]!] = 0;
    return sum;
  }

  /** Cosine of two items' TF-IDF vectors (a merge of two sorted sparse rows). */
  similarity(a: number, b: number): number {
    if (!(a >= 0 && a < this.items && b >= 0 && b < this.items)) return 0;
    const v = this.vectors;
    let p = v.indptr[a]!;
    let q = v.indptr[b]!;
    const pe = v.indptr[a + 1]!;
    const qe = v.indptr[b + 1]!;
    let sum = 0;
    while (p < pe && q < qe) {
      const tp = v.indices[p]!;
      const tq = v.indices[q]!;
      if (tp === tq) sum += v.values[p++]! * v.values[q++]!;
      else if (tp < tq) p++;
      else q++;
    }
    return sum;
  }

  /**
   * The terms behind `user`'s score for `item`, largest first (at most `limit`): what a "because
   * you liked ..." line can say.
   */
  explain(user: UserInput, item: number, limit = 5): TermContribution[] {
    const n = this.buildProfile(user);
    const found: TermContribution[] = [];
    if (item >= 0 && item < this.items) {
      const v = this.vectors;
      for (let k = v.indptr[item]!; k < v.indptr[item + 1]!; k++) {
        const w = this.profile[v.indices[k]!]! * v.values[k]!;
        if (w > 0) found.push({ term: this.vocabulary[v.indices[k]!]!, weight: w });
      }
    }
    for (let j = 0; j < n; j++) this.profile[this.terms[j]!] = 0;
    return found
      .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
      .slice(0, limit);
  }

  /**
   * Fills the scratch profile with the L2-normalized weighted sum of the user's item vectors (the
   * weighted mean, normalized) and returns how many terms it touched, listed in `terms`.
   */
  private buildProfile(user: UserInput): number {
    const r =
      typeof user === 'number'
        ? user >= 0 && user < this.users.rows
          ? row(this.users, user)
          : NO_ITEMS
        : user;
    const v = this.vectors;
    const profile = this.profile;
    const terms = this.terms;
    let n = 0;
    for (let j = 0; j < r.indices.length; j++) {
      const item = r.indices[j]!;
      const w = r.values[j]!;
      if (item >= this.items || !(w > 0 && Number.isFinite(w))) continue;
      for (let k = v.indptr[item]!; k < v.indptr[item + 1]!; k++) {
        const t = v.indices[k]!;
        if (profile[t] === 0) terms[n++] = t;
        profile[t]! += w * v.values[k]!;
      }
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += profile[terms[j]!]! ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) profile[terms[j]!]! /= norm;
    return n;
  }

  /** out[i] = profile . vector(i) over the inverted lists of the profile's terms; clears the profile. */
  private scoreTerms(n: number, out: Float32Array): void {
    const inv = this.inverted;
    const sums = this.sums;
    const profile = this.profile;
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      const t = this.terms[j]!;
      const p = profile[t]!;
      profile[t] = 0;
      for (let k = inv.indptr[t]!; k < inv.indptr[t + 1]!; k++) sums[inv.indices[k]!]! += p * inv.values[k]!;
    }
    for (let i = 0; i < this.items; i++) out[i] = sums[i]!;
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: {
        items: this.items,
        users: this.users.rows,
        terms: this.vocabulary.length,
        vocabulary: JSON.stringify(this.vocabulary),
      },
      arrays: {
        itemIndptr: this.vectors.indptr,
        itemIndices: this.vectors.indices,
        itemValues: this.vectors.values,
        idf: this.idf,
        userIndptr: this.users.indptr,
        userIndices: this.users.indices,
        userWeights: this.users.values,
      },
    };
  }

  /** Rebuilds the model from {@link toArtifact}'s output. */
  static load(a: Artifact): ContentModel {
    if (a.name !== 'content') throw new Error(`content: cannot load an artifact of "${a.name}"`);
    const params = resolveParams('content', DEFAULTS, a.params as Partial<ContentParams>);
    const items = Number(a.meta.items);
    const vocabulary = JSON.parse(String(a.meta.vocabulary)) as string[];
    const vectors: Csr = {
      rows: items,
      cols: vocabulary.length,
      indptr: a.arrays.itemIndptr as Uint32Array,
      indices: a.arrays.itemIndices as Uint32Array,
      values: a.arrays.itemValues as Float32Array,
    };
    const users: Csr = {
      rows: Number(a.meta.users),
      cols: items,
      indptr: a.arrays.userIndptr as Uint32Array,
      indices: a.arrays.userIndices as Uint32Array,
      values: a.arrays.userWeights as Float32Array,
    };
    return new ContentModel(params, vectors, a.arrays.idf as Float32Array, vocabulary, users);
  }
}

/** Rebuilds a content model from its artifact. */
export const loadContent = (a: Artifact): ContentModel => ContentModel.load(a);
