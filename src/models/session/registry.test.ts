import { describe, expect, it } from 'vitest';
import { createSessionModel, loadSessionModel, SESSION_MODELS } from './registry.js';
import { twoWorlds } from './session.conformance.js';

describe('SESSION_MODELS', () => {
  it('lists the five models, each loadable from its own artifact by name', () => {
    expect(Object.keys(SESSION_MODELS)).toEqual(['popular', 'markov', 'sr', 'sknn', 'vsknn']);
    for (const id of Object.keys(SESSION_MODELS)) {
      const model = createSessionModel(id).fit(twoWorlds());
      expect(model.name).toBe(id);
      const loaded = loadSessionModel(structuredClone(model.toArtifact()));
      expect(loaded.recommend([5, 6], 5)).toEqual(model.recommend([5, 6], 5));
    }
  });

  it('passes parameters through and names unknown models', () => {
    expect(createSessionModel('sknn', { k: 7 }).params).toMatchObject({ k: 7 });
    expect(() => createSessionModel('sknn', { k: 'many' })).toThrow(/parameter "k" must be a number/);
    expect(() => createSessionModel('gru4rec')).toThrow(/unknown session model "gru4rec" \(known: popular/);
  });
});
