import type { Ranked } from '../../core/topk.js';
import type { Artifact } from '../recommend/contract.js';
import {
  checkArtifact,
  checkSessionData,
  type FittedSession,
  noParams,
  type SessionData,
  type SessionEstimator,
} from './contract.js';

/**
 * The most viewed items, whatever the session (session-rec's POP: views counted over the training
 * events): the floor every session model must clear, and the answer to an empty session.
 * Items never viewed are not offered. Scores are views divided by the most viewed item's.
 */
export function popular(params: Record<string, never> = {}): SessionEstimator<Record<string, never>> {
  noParams('popular', params);
  return {
    name: 'popular',
    params: Object.freeze({}),
    fit(data: SessionData) {
      checkSessionData(data);
      const views = new Float64Array(data.itemCount);
      for (const item of data.items) views[item]!++;
      const max = views.reduce((a, b) => Math.max(a, b), 0);
      return new PopularModel(views.map((v) => (max > 0 ? v / max : 0)));
    },
  };
}

class PopularModel implements FittedSession {
  readonly name = 'popular';
  readonly params = Object.freeze({});
  readonly items: number;
  /** Viewed items, most viewed first (ties to the lower index). */
  private readonly order: Uint32Array;

  constructor(private readonly share: Float64Array) {
    this.items = share.length;
    const viewed = [];
    for (let i = 0; i < share.length; i++) if (share[i]! > 0) viewed.push(i);
    viewed.sort((a, b) => share[b]! - share[a]! || a - b);
    this.order = Uint32Array.from(viewed);
  }

  recommend(_session: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Ranked {
    const items: number[] = [];
    for (let j = 0; j < this.order.length && items.length < k; j++) {
      const item = this.order[j]!;
      if (!exclude?.(item)) items.push(item);
    }
    return { items: Uint32Array.from(items), scores: Float32Array.from(items, (i) => this.share[i]!) };
  }

  toArtifact(): Artifact {
    return { name: this.name, params: {}, meta: { items: this.items }, arrays: { share: this.share } };
  }
}

/** Rebuilds a popularity model from its artifact. */
export function loadPopular(artifact: Artifact): FittedSession {
  checkArtifact(artifact, 'popular');
  const share = artifact.arrays.share;
  if (!(share instanceof Float64Array)) throw new Error('popular: artifact lacks share');
  return new PopularModel(share);
}
