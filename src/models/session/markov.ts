import type { Artifact } from '../recommend/contract.js';
import {
  checkArtifact,
  checkSessionData,
  type FittedSession,
  noParams,
  type SessionData,
  type SessionEstimator,
} from './contract.js';
import { LastItemModel, pruneRows, transitionCounts } from './sequential-rules.js';

/**
 * The first-order Markov chain: P(next = b | last = a) estimated by counting consecutive views
 * a -> b in the training sessions (repeats a -> a included). The baseline every sequence-aware
 * model must beat; SR with steps = 1, equal weights and no pruning ranks the same way.
 */
export function markov(params: Record<string, never> = {}): SessionEstimator<Record<string, never>> {
  noParams('markov', params);
  return {
    name: 'markov',
    params: Object.freeze({}),
    fit(data: SessionData) {
      checkSessionData(data);
      const probabilities = pruneRows(
        transitionCounts(data, 1, () => 1),
        (len) => len,
        (v) => v.reduce((a, b) => a + b, 0),
      );
      return new LastItemModel('markov', {}, probabilities);
    },
  };
}

/** Rebuilds a Markov model from its artifact. */
export function loadMarkov(artifact: Artifact): FittedSession {
  checkArtifact(artifact, 'markov');
  return new LastItemModel('markov', {}, LastItemModel.rowsOf(artifact));
}
