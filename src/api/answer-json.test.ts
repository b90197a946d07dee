import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerJson } from './answer-json.js';

const freeze = <T>(items: T[]) => Object.freeze(items.map((i) => Object.freeze(i)));

describe('answerJson', () => {
  it('writes the same text as JSON.stringify, frozen items or not', () => {
    const item = fc.record({
      itemId: fc.string(),
      score: fc.double(),
      source: fc.string(),
      reason: fc.string(),
    });
    fc.assert(
      fc.property(
        fc.record({ recommendationId: fc.uuid(), model: fc.string(), version: fc.option(fc.string()) }),
        fc.array(item, { maxLength: 5 }),
        fc.boolean(),
        (head, items, frozen) => {
          const list = { ...head, items: frozen ? freeze(items) : items };
          expect(answerJson(list)).toBe(JSON.stringify(list));
          expect(answerJson(list)).toBe(JSON.stringify(list)); // a second time, from the kept text
        },
      ),
    );
  });

  it('handles answers that are not lists, lists with nothing but items, and items not last', () => {
    const items = freeze([{ a: 1 }]);
    for (const value of [
      null,
      3,
      'x',
      [1, 2],
      { a: 1 },
      { items: 'x' },
      { items },
      { items, after: 1 },
      { items, x: { items: 0 } },
    ])
      expect(answerJson(value)).toBe(JSON.stringify(value));
  });
});
