/** Models that rank the same items for everyone: never "auto"'s personalized choice while a personal one was fitted. */
const NON_PERSONAL = new Set(['popularity', 'trending', 'latest']);

/** Which fitted model serves which surface. */
export interface Surfaces {
  personalized: string;
  similar: string | null;
  content: string | null;
}

/**
 * Picks the model of each surface: the configured one, else for personalized lists the best on the
 * holdout's NDCG@10 among personal models, and for similar items item-kNN before the factor models.
 */
export function chooseSurfaces(
  models: readonly { id: string; ndcg: number | null }[],
  wanted: { personalized: string; similar: string },
): Surfaces {
  const has = (id: string) => models.some((m) => m.id === id);
  let personalized = wanted.personalized;
  if (personalized === 'auto') {
    const best = models
      .filter((m) => !NON_PERSONAL.has(m.id))
      .sort((a, b) => (b.ndcg ?? -1) - (a.ndcg ?? -1))[0];
    personalized = best?.id ?? (has('popularity') ? 'popularity' : models[0]!.id);
  }
  const similar =
    wanted.similar !== 'auto' ? wanted.similar : (['itemknn', 'ials', 'ease', 'bpr'].find(has) ?? null);
  return { personalized, similar, content: has('content') ? 'content' : null };
}
