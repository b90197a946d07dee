/**
 * Deterministic experiment assignment, bit-for-bit compatible with GrowthBook's SDKs (packages/sdk-js
 * src/util.ts and src/mongrule.ts): the same seed, unit id, weights, coverage and namespace put a
 * shopper in the same variant here as in any GrowthBook SDK, so a store can run its experiments
 * from Cartwise, from GrowthBook, or from both. Pure: no I/O, no clock, no randomness. Sticky
 * bucketing (keeping a returning shopper's first variant) is the caller's job: it stores what
 * `assign` returns.
 *
 * Where GrowthBook silently repairs a bad definition (coverage outside [0, 1], weights of the wrong
 * length or not summing to 1), this module repairs it the same way, because a different repair would
 * assign differently; callers that want an error check their input first (see `normalizeWeights`).
 */
import { fnv1a32 } from '../core/hash.js';

/** GrowthBook's hash versions: 2 is unbiased (the default for new experiments), 1 is the original. */
export type HashVersion = 1 | 2;

/** Half-open interval [start, end) of the unit hash that falls to one variant. */
export type BucketRange = [start: number, end: number];

/** Mutually exclusive experiments share a namespace id and take disjoint [start, end) slices of it. */
export type Namespace = [id: string, start: number, end: number];

/** A targeting condition on unit attributes, in GrowthBook's MongoDB-like syntax. */
export type Condition = { [key: string]: unknown };

/**
 * The unit's position in [0, 1) for a seed, as GrowthBook's `hash(seed, value, version)`:
 * v2 = fnv1a(String(fnv1a(seed + id))) % 10000 / 10000, v1 = fnv1a(id + seed) % 1000 / 1000.
 * Null for an unknown version, which GrowthBook treats as "not in the experiment".
 */
export function unitHash(seed: string, unitId: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + unitId))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(unitId + seed) % 1000) / 1000;
  return null;
}

/** n equal weights (none for n <= 0): the split GrowthBook falls back to when weights are unusable. */
export function getEqualWeights(n: number): number[] {
  if (n <= 0) return [];
  return new Array<number>(n).fill(1 / n);
}

/** True when `n` lies in the half-open range [start, end). */
export function inRange(n: number, range: BucketRange): boolean {
  return n >= range[0] && n < range[1];
}

/**
 * Hash ranges per variant, as GrowthBook's getBucketRanges: coverage is clamped to [0, 1]; weights
 * that are missing, of the wrong length, or whose sum is outside [0.99, 1.01] become equal weights;
 * variant i owns [W_i, W_i + coverage * w_i) where W_i is the sum of the weights before it, so
 * lowering coverage removes units from each variant without moving anyone between variants.
 */
export function getBucketRanges(
  numVariations: number,
  coverage = 1,
  weights?: readonly number[] | null,
): BucketRange[] {
  let c = coverage;
  if (c < 0) c = 0;
  else if (c > 1) c = 1;
  const equal = getEqualWeights(numVariations);
  let w: readonly number[] = weights ?? equal;
  if (w.length !== numVariations) w = equal;
  const total = w.reduce((sum, x) => sum + x, 0);
  if (total < 0.99 || total > 1.01) w = equal;
  let cumulative = 0;
  return w.map((x): BucketRange => {
    const start = cumulative;
    cumulative += x;
    return [start, start + c * x];
  });
}

/** Index of the range holding `n`, or -1 when none does (the unit is outside the coverage). */
export function chooseVariation(n: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) if (inRange(n, ranges[i]!)) return i;
  return -1;
}

/**
 * Whether the unit falls in a namespace slice, as GrowthBook's inNamespace: the v1 hash of the unit
 * with seed `__` + namespace id, in [start, end). Experiments whose slices do not overlap never
 * share a unit.
 */
export function inNamespace(unitId: string, namespace: Namespace): boolean {
  const n = unitHash(`__${namespace[0]}`, unitId, 1)!;
  return n >= namespace[1] && n < namespace[2];
}

/**
 * Weights rescaled to sum to 1, for callers that accept "1,3" as 25/75: GrowthBook itself would
 * ignore weights that do not sum to 1 and split equally. Throws RangeError on a negative or
 * non-finite weight, or when all are zero.
 */
export function normalizeWeights(weights: readonly number[]): number[] {
  for (const w of weights)
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`weight ${w} is not a non-negative number`);
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw new RangeError('weights must not all be zero');
  return weights.map((w) => w / total);
}

// ---- targeting conditions (GrowthBook's mongrule.ts) ----

/** Saved groups for $inGroup / $notInGroup: group id -> member values. */
export type SavedGroups = Record<string, readonly unknown[]>;

/**
 * Left-pads the numeric parts of a version ("v1.2.3-rc.1+build" -> "    1-    2-    3-rc-    1")
 * so plain string comparison orders versions, as GrowthBook's paddedVersionString ($veq, $vgt...).
 * A release sorts after its pre-releases because "~" is appended to three-part versions.
 */
export function paddedVersionString(input: unknown): string {
  let text = typeof input === 'number' ? String(input) : input;
  if (!text || typeof text !== 'string') text = '0';
  const parts = (text as string).replace(/(^v|\+.*$)/g, '').split(/[-.]/);
  if (parts.length === 3) parts.push('~');
  return parts.map((v) => (/^[0-9]+$/.test(v) ? v.padStart(5, ' ') : v)).join('-');
}

/** Value at a dot-separated path ("father.age"), or null when any step is missing. */
function getPath(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const part of path.split('.')) {
    if (current && typeof current === 'object' && part in current)
      current = (current as Record<string, unknown>)[part];
    else return null;
  }
  return current;
}

/** True for a non-empty object whose keys all start with "$" ({"$gt": 3}), i.e. operators, not a value. */
function isOperatorObject(obj: object): boolean {
  const keys = Object.keys(obj);
  return keys.length > 0 && keys.every((k) => k[0] === '$');
}

function getType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return ['string', 'number', 'boolean', 'object', 'undefined'].includes(t) ? t : 'unknown';
}

/** GrowthBook's regex: unescaped "/" are escaped first; flags "i" for the case-insensitive forms. */
function testRegex(pattern: unknown, actual: unknown, insensitive: boolean): boolean {
  try {
    const source = String(pattern).replace(/([^\\])\//g, '$1\\/');
    return new RegExp(source, insensitive ? 'i' : undefined).test(String(actual));
  } catch {
    return false;
  }
}

const fold = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

/** $in: membership, or a non-empty intersection when the attribute is an array. */
function isIn(actual: unknown, expected: readonly unknown[], insensitive = false): boolean {
  if (insensitive) {
    const folded = expected.map(fold);
    if (Array.isArray(actual)) return actual.some((el) => folded.includes(fold(el)));
    return folded.includes(fold(actual));
  }
  if (Array.isArray(actual)) return actual.some((el) => expected.includes(el));
  return expected.includes(actual);
}

/** $all: every expected condition matches some element of the attribute array. */
function isInAll(actual: unknown, expected: readonly unknown[], groups: SavedGroups, insensitive = false) {
  if (!Array.isArray(actual)) return false;
  return expected.every((e) => actual.some((a) => evalConditionValue(e, a, groups, insensitive)));
}

/** $elemMatch: some (truthy) element matches an operator object, or a sub-condition on objects. */
function elemMatch(actual: unknown, expected: unknown, groups: SavedGroups): boolean {
  if (!Array.isArray(actual)) return false;
  const operators = typeof expected === 'object' && expected !== null && isOperatorObject(expected);
  return actual.some(
    (el) =>
      Boolean(el) &&
      (operators
        ? evalConditionValue(expected, el, groups)
        : evalCondition(el as Record<string, unknown>, expected as Condition, groups)),
  );
}

// Relational operators deliberately use JavaScript's own comparison (numbers and numeric strings
// compare as numbers, two strings lexicographically, a missing attribute as null -> 0), because
// that is what GrowthBook's JavaScript SDK does and its published cases depend on it.
type Loose = number;

function evalOperator(op: string, actual: unknown, expected: unknown, groups: SavedGroups): boolean {
  switch (op) {
    case '$veq':
      return paddedVersionString(actual) === paddedVersionString(expected);
    case '$vne':
      return paddedVersionString(actual) !== paddedVersionString(expected);
    case '$vgt':
      return paddedVersionString(actual) > paddedVersionString(expected);
    case '$vgte':
      return paddedVersionString(actual) >= paddedVersionString(expected);
    case '$vlt':
      return paddedVersionString(actual) < paddedVersionString(expected);
    case '$vlte':
      return paddedVersionString(actual) <= paddedVersionString(expected);
    case '$eq':
      return actual === expected;
    case '$ne':
      return actual !== expected;
    case '$lt':
      return (actual as Loose) < (expected as Loose);
    case '$lte':
      return (actual as Loose) <= (expected as Loose);
    case '$gt':
      return (actual as Loose) > (expected as Loose);
    case '$gte':
      return (actual as Loose) >= (expected as Loose);
    case '$exists':
      return expected ? actual !== null && actual !== undefined : actual === null || actual === undefined;
    case '$in':
      return Array.isArray(expected) && isIn(actual, expected);
    case '$ini':
      return Array.isArray(expected) && isIn(actual, expected, true);
    case '$nin':
      return Array.isArray(expected) && !isIn(actual, expected);
    case '$nini':
      return Array.isArray(expected) && !isIn(actual, expected, true);
    case '$inGroup':
      return isIn(actual, groups[String(expected)] ?? []);
    case '$notInGroup':
      return !isIn(actual, groups[String(expected)] ?? []);
    case '$not':
      return !evalConditionValue(expected, actual, groups);
    case '$size':
      return Array.isArray(actual) && evalConditionValue(expected, actual.length, groups);
    case '$elemMatch':
      return elemMatch(actual, expected, groups);
    case '$all':
      return Array.isArray(expected) && isInAll(actual, expected, groups);
    case '$alli':
      return Array.isArray(expected) && isInAll(actual, expected, groups, true);
    case '$regex':
      return testRegex(expected, actual, false);
    case '$regexi':
      return testRegex(expected, actual, true);
    case '$type':
      return getType(actual) === expected;
    default:
      return false; // unknown operator: GrowthBook logs it and fails the condition
  }
}

/** One attribute value against a literal (equality) or an object of operators (all must hold). */
function evalConditionValue(
  condition: unknown,
  value: unknown,
  groups: SavedGroups,
  insensitive = false,
): boolean {
  if (typeof condition === 'string') {
    return insensitive ? String(value).toLowerCase() === condition.toLowerCase() : `${value}` === condition;
  }
  if (typeof condition === 'number') return Number(value) === condition;
  if (typeof condition === 'boolean') return value !== null && Boolean(value) === condition;
  if (condition === null) return value === null;
  if (typeof condition !== 'object' || Array.isArray(condition) || !isOperatorObject(condition))
    return JSON.stringify(value) === JSON.stringify(condition);
  for (const [op, expected] of Object.entries(condition))
    if (!evalOperator(op, value, expected, groups)) return false;
  return true;
}

/**
 * Whether unit attributes (user traits) satisfy a targeting condition, with GrowthBook's semantics:
 * top-level $and, $or, $nor, $not; attribute paths with dots; literal values mean equality (deep
 * for arrays and objects); operators $eq $ne $lt $lte $gt $gte $exists $in $nin $ini $nini $all
 * $alli $elemMatch $size $not $regex $regexi $type $veq $vne $vgt $vgte $vlt $vlte $inGroup
 * $notInGroup. Unknown operators and invalid regexes fail the condition.
 */
export function evalCondition(
  attributes: Record<string, unknown>,
  condition: Condition,
  savedGroups: SavedGroups = {},
): boolean {
  for (const [key, value] of Object.entries(condition)) {
    switch (key) {
      case '$or':
        if (!evalOr(attributes, value as Condition[], savedGroups)) return false;
        break;
      case '$nor':
        if (evalOr(attributes, value as Condition[], savedGroups)) return false;
        break;
      case '$and':
        if (!(value as Condition[]).every((c) => evalCondition(attributes, c, savedGroups))) return false;
        break;
      case '$not':
        if (evalCondition(attributes, value as Condition, savedGroups)) return false;
        break;
      default:
        if (!evalConditionValue(value, getPath(attributes, key), savedGroups)) return false;
    }
  }
  return true;
}

/** $or: true when empty, else when any sub-condition holds. */
function evalOr(attributes: Record<string, unknown>, conditions: Condition[], groups: SavedGroups): boolean {
  return conditions.length === 0 || conditions.some((c) => evalCondition(attributes, c, groups));
}

// ---- one assignment ----

/** What assignment needs to know about an experiment (GrowthBook's Experiment, minus the payloads). */
export interface ExperimentSpec {
  /** Experiment key; also the hash seed when `seed` is not given (as GrowthBook). */
  key: string;
  seed?: string;
  /**
   * Defaults to 2 (what GrowthBook writes for every new experiment). GrowthBook's SDK reads a
   * missing hashVersion as 1: pass 1 explicitly when mirroring an old payload that omits it.
   */
  hashVersion?: number;
  /** Number of variants (control first), or the variants themselves. */
  variants: number | readonly unknown[];
  /** Traffic split, summing to 1; anything else means equal weights (see getBucketRanges). */
  weights?: readonly number[] | null;
  /** Share of the (namespace-eligible, targeted) units that enter; default 1. */
  coverage?: number;
  /** Explicit ranges, overriding weights and coverage (GrowthBook's `ranges`). */
  ranges?: readonly BucketRange[] | null;
  namespace?: Namespace | null;
  /** Targeting on unit attributes; units that fail it are not in the experiment. */
  condition?: Condition | null;
}

/** Why a unit is not in the experiment; null when it is. */
export type Exclusion = 'variants' | 'unit' | 'namespace' | 'targeting' | 'hashVersion' | 'coverage';

/** The outcome of one assignment: what to store for sticky bucketing and log as the exposure. */
export interface Assignment {
  /** The unit's hash for the experiment seed, in [0, 1); null only for an unknown hash version. */
  hash: number | null;
  /** Variant index (0 = control), or -1 when the unit is not in the experiment. */
  variant: number;
  inExperiment: boolean;
  excludedBy: Exclusion | null;
}

/**
 * Assigns one unit (user id, anonymous id...) to a variant the way GrowthBook's `run` does, in its
 * order: fewer than two variants, an empty unit id, the namespace, the targeting condition, then the
 * hash against the bucket ranges. The hash is reported even when the unit is excluded earlier.
 */
export function assign(
  spec: ExperimentSpec,
  unitId: string,
  attributes: Record<string, unknown> = {},
): Assignment {
  const count = typeof spec.variants === 'number' ? spec.variants : spec.variants.length;
  const version = spec.hashVersion ?? 2;
  const hash = unitHash(spec.seed ?? spec.key, unitId, version);
  const out = (excludedBy: Exclusion): Assignment => ({ hash, variant: -1, inExperiment: false, excludedBy });
  if (count < 2) return out('variants');
  if (unitId === '') return out('unit');
  if (spec.namespace && !inNamespace(unitId, spec.namespace)) return out('namespace');
  if (spec.condition && !evalCondition(attributes, spec.condition)) return out('targeting');
  if (hash === null) return out('hashVersion');
  const ranges = spec.ranges ?? getBucketRanges(count, spec.coverage ?? 1, spec.weights);
  const variant = chooseVariation(hash, ranges);
  if (variant < 0) return out('coverage');
  return { hash, variant, inExperiment: true, excludedBy: null };
}
