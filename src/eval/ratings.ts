import { type Csr, csrFromCoo } from '../core/csr.js';
import { Rng } from '../core/rng.js';
import type { Fitted } from '../models/recommend/contract.js';

/**
 * Rating-prediction evaluation as Surprise and scikit-learn do it: K-fold cross-validation over
 * individual ratings, scored by RMSE and MAE of the predicted ratings.
 */

/** Ratings as aligned triplets over dense user and item indices. */
export interface RatingTriplets {
  user: Uint32Array;
  item: Uint32Array;
  rating: Float32Array;
  /** Sizes of the index spaces (the matrices built from them are users x items). */
  users: number;
  items: number;
}

/** One fold: the model learns from `train` and is scored on `test`. */
export interface RatingFold {
  /** users x items training ratings (every user and item keeps its index, rated or not). */
  train: Csr;
  test: RatingTriplets;
}

/**
 * Surprise's / scikit-learn's shuffled KFold: one seeded random permutation of the ratings, cut into
 * `folds` contiguous parts (the first `n % folds` one rating larger); each part is the test set once,
 * the rest the training set. A (user, item) pair given twice keeps its last rating in training.
 */
export function* kfold(ratings: RatingTriplets, folds: number, seed: number): Generator<RatingFold> {
  const n = ratings.rating.length;
  if (ratings.user.length !== n || ratings.item.length !== n)
    throw new Error('kfold: user, item and rating must have the same length');
  if (!(Number.isInteger(folds) && folds >= 2 && folds <= n))
    throw new Error(`kfold: folds must be an integer in [2, ${n}] (the number of ratings), got ${folds}`);
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const rng = new Rng(seed);
  for (let k = n - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const t = order[k]!;
    order[k] = order[j]!;
    order[j] = t;
  }
  let stop = 0;
  for (let fold = 0; fold < folds; fold++) {
    const start = stop;
    stop += Math.floor(n / folds) + (fold < n % folds ? 1 : 0);
    const trainIdx = new Uint32Array(n - (stop - start));
    trainIdx.set(order.subarray(0, start), 0);
    trainIdx.set(order.subarray(stop), start);
    const testIdx = order.subarray(start, stop);
    yield {
      train: csrFromCoo(
        ratings.users,
        ratings.items,
        pick(ratings.user, trainIdx),
        pick(ratings.item, trainIdx),
        pick(ratings.rating, trainIdx),
        'last',
      ),
      test: {
        user: pick(ratings.user, testIdx),
        item: pick(ratings.item, testIdx),
        rating: pick(ratings.rating, testIdx),
        users: ratings.users,
        items: ratings.items,
      },
    };
  }
}

function pick<T extends Uint32Array | Float32Array>(a: T, at: Uint32Array): T {
  const out = new (a.constructor as new (n: number) => T)(at.length);
  for (let k = 0; k < at.length; k++) out[k] = a[at[k]!]!;
  return out;
}

/** A rating model's predictions for every test pair, aligned with `test.rating`. */
export function predictRatings(model: Fitted, test: RatingTriplets): Float32Array {
  if (!model.predict) throw new Error(`${model.name} does not predict ratings`);
  const out = new Float32Array(test.rating.length);
  for (let k = 0; k < out.length; k++) out[k] = model.predict(test.user[k]!, test.item[k]!);
  return out;
}

/** Root mean squared error: Surprise's headline accuracy measure. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let k = 0; k < actual.length; k++) {
    const d = predicted[k]! - actual[k]!;
    s += d * d;
  }
  return Math.sqrt(s / actual.length);
}

/** Mean absolute error: reported next to RMSE, less sensitive to a few large misses. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let k = 0; k < actual.length; k++) s += Math.abs(predicted[k]! - actual[k]!);
  return s / actual.length;
}

function checkLengths(predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length)
    throw new Error(`predictions (${predicted.length}) and truths (${actual.length}) differ in length`);
  if (actual.length === 0) throw new Error('no predictions to score');
}

/** Shape and structure of {@link syntheticRatings}. */
export interface SyntheticRatingsOptions {
  users: number;
  items: number;
  /** Distinct (user, item) ratings to draw; at most users x items / 2. */
  ratings: number;
  /** Every user rates at least this many items (MovieLens: 20). */
  minPerUser?: number;
  /** Rank of the planted preference structure. */
  rank?: number;
  /** Integer rating scale. */
  min?: number;
  max?: number;
  /** Global mean, bias spreads, strength of the low-rank part (its variance), noise sd, before rounding. */
  mean?: number;
  userBiasSd?: number;
  itemBiasSd?: number;
  factorVariance?: number;
  noiseSd?: number;
  seed?: number;
}

/**
 * Ratings with a known structure (global mean + user and item biases + a low-rank taste part + noise,
 * rounded and clipped to an integer scale), skewed activity and popularity, every user above a
 * minimum: a stand-in for MovieLens where its terms keep it out of the repository, so rating models
 * can be checked (the better model must find more of the planted structure) and benchmarked.
 */
export function syntheticRatings(o: SyntheticRatingsOptions): RatingTriplets {
  const { users, items, ratings } = o;
  const minPerUser = o.minPerUser ?? 0;
  const rank = o.rank ?? 10;
  const lo = o.min ?? 1;
  const hi = o.max ?? 5;
  const cap = Math.floor(items / 2);
  if (ratings > users * cap || users * minPerUser > ratings || minPerUser > cap)
    throw new Error('syntheticRatings: cannot place that many ratings (at most half of each user row)');
  const rng = new Rng(o.seed ?? 1);
  const shape = rng.fork('shape');
  const activity = Float64Array.from({ length: users }, () => shape.logNormal(0, 1));
  const popularity = Float64Array.from({ length: items }, () => shape.logNormal(0, 1.4));
  // Ratings per user: the minimum, plus the rest drawn in proportion to activity (capped).
  const perUser = new Uint32Array(users).fill(minPerUser);
  const userCum = cumulative(activity);
  for (let left = ratings - users * minPerUser; left > 0; ) {
    const u = draw(userCum, shape.float());
    if (perUser[u]! < cap) {
      perUser[u]!++;
      left--;
    }
  }
  const structure = rng.fork('structure');
  const factorSd = Math.sqrt(Math.sqrt((o.factorVariance ?? 0.3) / rank));
  const p = Float64Array.from({ length: users * rank }, () => structure.normal(0, factorSd));
  const q = Float64Array.from({ length: items * rank }, () => structure.normal(0, factorSd));
  const bu = Float64Array.from({ length: users }, () => structure.normal(0, o.userBiasSd ?? 0.45));
  const bi = Float64Array.from({ length: items }, () => structure.normal(0, o.itemBiasSd ?? 0.55));
  const itemCum = cumulative(popularity);
  const user = new Uint32Array(ratings);
  const item = new Uint32Array(ratings);
  const rating = new Float32Array(ratings);
  const taken = new Uint8Array(items);
  const chosen = new Uint32Array(cap);
  const pick = rng.fork('pick');
  let at = 0;
  for (let u = 0; u < users; u++) {
    const n = perUser[u]!;
    for (let c = 0; c < n; ) {
      const i = draw(itemCum, pick.float());
      if (taken[i]) continue;
      taken[i] = 1;
      chosen[c++] = i;
      let dotPq = 0;
      for (let f = 0; f < rank; f++) dotPq += p[u * rank + f]! * q[i * rank + f]!;
      const raw = (o.mean ?? 3.53) + bu[u]! + bi[i]! + dotPq + pick.normal(0, o.noiseSd ?? 0.75);
      user[at] = u;
      item[at] = i;
      rating[at] = Math.min(hi, Math.max(lo, Math.round(raw)));
      at++;
    }
    for (let c = 0; c < n; c++) taken[chosen[c]!] = 0;
  }
  return { user, item, rating, users, items };
}

function cumulative(w: Float64Array): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let k = 0; k < w.length; k++) c[k] = s += w[k]!;
  return c;
}

/** The index whose cumulative weight first exceeds `x` times the total (binary search). */
function draw(cum: Float64Array, x: number): number {
  const target = x * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
