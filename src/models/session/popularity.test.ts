import { describe, expect, it } from 'vitest';
import { loadPopular, popular } from './popularity.js';
import { checkSessionModel, sessionsOf } from './session.conformance.js';

describe('popular', () => {
  checkSessionModel({ create: () => popular(), load: loadPopular, sequential: false });

  it('ranks by views, ties to the lower index, whatever the session', () => {
    const model = popular().fit(
      sessionsOf(
        [
          [3, 1, 3],
          [2, 1],
          [3, 0],
        ],
        5,
      ),
    );
    const r = model.recommend([0], 10);
    expect([...r.items]).toEqual([3, 1, 0, 2]);
    expect([...r.scores]).toEqual([1, 2 / 3, 1 / 3, 1 / 3].map(Math.fround));
    expect(model.recommend([], 2).items).toEqual(Uint32Array.of(3, 1));
  });
});
