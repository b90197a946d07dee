import type { SearchSpace } from '../../eval/search.js';
import { baseline, loadBaseline } from './baseline.js';
import { bpr, loadBpr } from './bpr.js';
import { content, loadContent } from './content.js';
import type { Artifact, Estimator, Fitted } from './contract.js';
import { ease, loadEase } from './ease.js';
import { hybrid, loadHybrid } from './hybrid.js';
import { ials, loadIals } from './ials.js';
import { itemKnn, loadItemKnn } from './item-knn.js';
import { knnBaseline, loadKnnBaseline } from './knn-baseline.js';
import { loadMultVae, multVae } from './mult-vae.js';
import { loadNmf, nmf } from './nmf.js';
import { loadPopularity, popularity } from './popularity.js';
import { loadSvd, svd } from './svd.js';
import { loadSvdpp, svdpp } from './svdpp.js';
import { latest, loadFixedList, trending } from './trending.js';
import { loadUserKnn, userKnn } from './user-knn.js';

/** How the CLI, training jobs and the artifact store find a model by its id. */
export interface ModelEntry {
  /** Builds the estimator; unknown or ill-typed parameters throw a message naming them. */
  create(params?: Record<string, unknown>): Estimator;
  load(artifact: Artifact): Fitted;
  summary: string;
  /** Where hyperparameter search looks, and which parameter is the iteration budget. */
  space?: SearchSpace;
  budget?: { param: string; max: number };
}

const log = (min: number, max: number) => ({ kind: 'log', min, max }) as const;
const choice = (...values: (number | string | boolean)[]) => ({ kind: 'choice', values }) as const;

/** Every recommender, by the lower-case id used on the command line. */
export const RECOMMENDERS: Readonly<Record<string, ModelEntry>> = {
  popularity: {
    create: (p) => popularity(p),
    load: loadPopularity,
    summary: 'most popular items (global, or within the user’s categories)',
  },
  trending: {
    create: (p) => trending(p),
    load: loadFixedList,
    summary: 'time-decayed popularity over a window',
  },
  latest: { create: () => latest(), load: loadFixedList, summary: 'newest catalog items first' },
  itemknn: {
    create: (p) => itemKnn(p),
    load: loadItemKnn,
    summary: 'item-based kNN, cosine with shrinkage, optional TF-IDF/BM25',
    space: {
      k: choice(20, 50, 100, 200, 400),
      shrink: choice(0, 10, 50, 100, 200),
      weighting: choice('none', 'tfidf', 'bm25'),
    },
  },
  userknn: {
    create: (p) => userKnn(p),
    load: loadUserKnn,
    summary: 'user-based kNN, cosine with shrinkage',
    space: { k: choice(10, 25, 50, 100, 200), shrink: choice(0, 10, 50, 100) },
  },
  ials: {
    create: (p) => ials(p),
    load: loadIals,
    summary: 'implicit ALS with conjugate gradient',
    space: { factors: choice(32, 64, 128), regularization: log(0.001, 10), alpha: log(0.1, 100) },
    budget: { param: 'iterations', max: 15 },
  },
  bpr: {
    create: (p) => bpr(p),
    load: loadBpr,
    summary: 'Bayesian personalized ranking, SGD with sampled negatives',
    space: { factors: choice(32, 64, 128), learningRate: log(0.005, 0.2), regularization: log(0.0001, 0.1) },
    budget: { param: 'iterations', max: 60 },
  },
  ease: {
    create: (p) => ease(p),
    load: loadEase,
    summary: 'EASE linear autoencoder, closed form',
    space: { lambda: log(1, 5000) },
  },
  multvae: {
    create: (p) => multVae(p),
    load: loadMultVae,
    summary: 'Mult-VAE variational autoencoder (neural)',
    space: { dropout: choice(0.2, 0.5), betaMax: choice(0.1, 0.2, 0.4), hidden: choice(300, 600) },
    budget: { param: 'epochs', max: 100 },
  },
  content: {
    create: (p) => content(p),
    load: loadContent,
    summary: 'TF-IDF over title, description, category, brand, attributes',
    space: { halfLifeDays: choice(0, 30, 180), descriptionWeight: choice(0, 0.5, 1) },
  },
  hybrid: {
    create: ({ components = 'ials+itemknn+content', ...rest } = {}) => {
      if (typeof components !== 'string') {
        throw new Error('hybrid: components must be model ids joined by "+", e.g. ials+content');
      }
      return hybrid(
        components.split('+').map((id) => createRecommender(id.trim())),
        rest,
      );
    },
    load: (a) => loadHybrid(a, loadRecommender),
    summary: 'blend of models, weights fitted on validation data; cold users and items go to the last one',
  },
  baseline: {
    create: (p) => baseline(p),
    load: loadBaseline,
    summary: 'rating baseline: user and item biases by ALS',
  },
  svd: {
    create: (p) => svd(p),
    load: loadSvd,
    summary: 'biased matrix factorization of ratings (SGD)',
    space: { nFactors: choice(20, 50, 100, 200), lrAll: log(0.001, 0.02), regAll: log(0.005, 0.2) },
    budget: { param: 'nEpochs', max: 20 },
  },
  svdpp: { create: (p) => svdpp(p), load: loadSvdpp, summary: 'SVD++ with implicit feedback' },
  nmf: { create: (p) => nmf(p), load: loadNmf, summary: 'non-negative matrix factorization of ratings' },
  knnbaseline: {
    create: (p) => knnBaseline(p),
    load: loadKnnBaseline,
    summary: 'kNN on rating residuals of the baseline',
  },
};

/** The estimator for a model id, with a message listing the ids when it is unknown. */
export function createRecommender(id: string, params: Record<string, unknown> = {}): Estimator {
  const entry = RECOMMENDERS[id];
  if (!entry) throw new Error(`unknown model "${id}"; models: ${Object.keys(RECOMMENDERS).join(', ')}`);
  return entry.create(params);
}

/** Rebuilds a fitted model from its artifact. */
export function loadRecommender(artifact: Artifact): Fitted {
  const entry = RECOMMENDERS[artifact.name];
  if (!entry) throw new Error(`no model "${artifact.name}" to load`);
  return entry.load(artifact);
}
