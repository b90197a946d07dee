import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeTokens,
  categoryTokens,
  type FieldWeights,
  itemTerms,
  label,
  STOP_WORDS,
  stem,
  tfidf,
  tokenize,
} from './text.js';

const WEIGHTS: FieldWeights = {
  title: 1,
  description: 0.5,
  category: 1,
  brand: 1,
  attributes: 0.5,
  tags: 0.5,
};

describe('tokenize', () => {
  it('lower-cases, splits on punctuation and drops stop words and single ASCII characters', () => {
    expect(tokenize('The RED wool-jumper, for a Cold day!', false)).toEqual([
      'red',
      'wool',
      'jumper',
      'cold',
      'day',
    ]);
    expect(tokenize("Men's 2-pack 100% cotton T-shirts", false)).toEqual([
      'men',
      'pack',
      '100',
      'cotton',
      'shirts',
    ]);
  });

  it('keeps letters, digits and combining marks of any script', () => {
    expect(tokenize('Café crème, Größe 42', false)).toEqual(['café', 'crème', 'größe', '42']);
    expect(tokenize('Красный чайник (1,7 л)', false)).toEqual(['красный', 'чайник', 'л']);
    expect(tokenize('हिन्दी पुस्तक', false)).toEqual(['हिन्दी', 'पुस्तक']);
    expect(tokenize('茶 杯', false)).toEqual(['茶', '杯']);
  });

  it('normalizes compatibility forms and decomposed accents (NFKC)', () => {
    expect(tokenize('ＫＥＴＴＬＥ', false)).toEqual(['kettle']);
    expect(tokenize('cafe\u0301', false)).toEqual(['café']);
  });

  it('removes HTML tags and entities from descriptions', () => {
    expect(tokenize('<p>Steel&nbsp;<strong>kettle</strong> &amp; mug</p>', false)).toEqual([
      'steel',
      'kettle',
      'mug',
    ]);
    expect(tokenize('<!-- note --><br/>Sizes < 10 or > 12', false)).toEqual(['sizes', '10', '12']);
  });

  it('stems plurals when asked', () => {
    expect(tokenize('Kettles and batteries', true)).toEqual(['kettle', 'battery']);
    expect(tokenize('Kettles and batteries', false)).toEqual(['kettles', 'batteries']);
  });

  it('never yields empty, upper-case or stop-word tokens (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.boolean(), (text, stemming) => {
        for (const t of tokenize(text, stemming)) {
          expect(t.length).toBeGreaterThan(0);
          expect(t).toBe(t.toLowerCase());
          expect(STOP_WORDS.has(t)).toBe(false);
          expect(/[\s.,;:!?()<>]/.test(t)).toBe(false);
        }
      }),
    );
  });
});

describe('stem', () => {
  it('strips plural endings only', () => {
    const cases: Record<string, string> = {
      kettles: 'kettle',
      mugs: 'mug',
      batteries: 'battery',
      dresses: 'dress',
      boxes: 'box',
      watches: 'watch',
      dishes: 'dish',
      shoes: 'shoe',
      ties: 'tie',
      glass: 'glass',
      cactus: 'cactus',
      tennis: 'tennis',
      gas: 'gas',
      ring: 'ring',
      red: 'red',
      bed: 'bed',
      kettle: 'kettle',
      café: 'café',
      größes: 'größes',
    };
    for (const [word, expected] of Object.entries(cases)) expect(stem(word), word).toBe(expected);
  });
});

describe('field tokens', () => {
  it('gives each category level its full path as a token', () => {
    expect(categoryTokens('Home > Kitchen')).toEqual(['cat:home', 'cat:home>kitchen']);
    expect(categoryTokens(' Home >> Kitchen  Tools > Kettles ')).toEqual([
      'cat:home',
      'cat:home>kitchen tools',
      'cat:home>kitchen tools>kettles',
    ]);
    expect(categoryTokens(' > ')).toEqual([]);
  });

  it('turns scalar attributes into key=value tokens', () => {
    expect(
      attributeTokens({
        Color: ' Dark  Red ',
        size: 42,
        organic: true,
        materials: ['Wool', 'Silk', null],
        nested: { a: 1 },
        missing: null,
        nan: Number.NaN,
        '': 'x',
      }),
    ).toEqual([
      'attr:color=dark red',
      'attr:size=42',
      'attr:organic=true',
      'attr:materials=wool',
      'attr:materials=silk',
    ]);
  });

  it('normalizes labels', () => {
    expect(label('  Le  Creuset\n')).toBe('le creuset');
  });
});

describe('itemTerms', () => {
  it('sums sublinear term frequencies weighted by field', () => {
    const terms = itemTerms(
      {
        title: 'Kettle kettle',
        description: 'A kettle. Steel.',
        category: 'Home > Kitchen',
        brand: 'Forge',
        attributes: { color: 'red' },
        tags: ['Gift', ' '],
      },
      WEIGHTS,
    );
    expect(terms.get('kettle')).toBeCloseTo(1 * (1 + Math.log(2)) + 0.5 * 1, 12);
    expect(terms.get('steel')).toBe(0.5);
    expect(terms.get('cat:home')).toBe(1);
    expect(terms.get('cat:home>kitchen')).toBe(1);
    expect(terms.get('brand:forge')).toBe(1);
    expect(terms.get('attr:color=red')).toBe(0.5);
    expect(terms.get('tag:gift')).toBe(0.5);
    expect(terms.size).toBe(7);
  });

  it('ignores fields weighted 0 and items without text', () => {
    const terms = itemTerms({ title: 'Kettle', brand: 'Forge' }, { ...WEIGHTS, brand: 0 });
    expect([...terms.keys()]).toEqual(['kettle']);
    expect(itemTerms({}, WEIGHTS).size).toBe(0);
    expect(itemTerms({ title: null, description: '', tags: [] }, WEIGHTS).size).toBe(0);
  });

  it('keeps prefixed tokens apart from words', () => {
    const terms = itemTerms({ title: 'forge', brand: 'Forge' }, WEIGHTS);
    expect([...terms.keys()].sort()).toEqual(['brand:forge', 'forge']);
  });
});

const bag = (entries: Record<string, number>) => new Map(Object.entries(entries));
const ALL = { minDf: 1, maxDfRatio: 1, maxFeatures: 1000 };

describe('tfidf', () => {
  it('uses smooth idf and L2-normalized rows', () => {
    const docs = [bag({ a: 1, b: 1 }), bag({ a: 1 }), bag({ a: 1, c: 2 }), new Map()];
    const space = tfidf(docs, ALL);
    expect(space.documents).toBe(3);
    expect(space.vocabulary).toEqual(['a', 'b', 'c']);
    const idfA = Math.log(4 / 4) + 1;
    const idfB = Math.log(4 / 2) + 1;
    expect(space.idf[0]).toBeCloseTo(idfA, 6);
    expect(space.idf[1]).toBeCloseTo(idfB, 6);
    const m = space.vectors;
    expect([...m.indptr]).toEqual([0, 2, 3, 5, 5]);
    const norm = Math.hypot(idfA, idfB);
    expect(m.values[0]).toBeCloseTo(idfA / norm, 6);
    expect(m.values[1]).toBeCloseTo(idfB / norm, 6);
    expect(m.values[2]).toBeCloseTo(1, 6);
    const n2 = Math.hypot(idfA, 2 * idfB);
    expect(m.values[4]).toBeCloseTo((2 * idfB) / n2, 6);
  });

  it('prunes rare terms (minDf), ubiquitous ones (maxDfRatio) and caps the vocabulary by df', () => {
    const docs = [
      bag({ common: 1, x: 1, y: 1, rare: 1 }),
      bag({ common: 1, x: 1, y: 1 }),
      bag({ common: 1, x: 1, z: 1 }),
      bag({ common: 1, z: 1 }),
    ];
    expect(tfidf(docs, ALL).vocabulary).toEqual(['common', 'x', 'y', 'rare', 'z']);
    expect(tfidf(docs, { ...ALL, minDf: 2 }).vocabulary).toEqual(['common', 'x', 'y', 'z']);
    expect(tfidf(docs, { ...ALL, maxDfRatio: 0.9 }).vocabulary).toEqual(['x', 'y', 'rare', 'z']);
    // df: x 3, y 2, z 2, rare 1; ties go to the smaller string; columns keep first-appearance order.
    expect(tfidf(docs, { ...ALL, maxDfRatio: 0.9, maxFeatures: 2 }).vocabulary).toEqual(['x', 'y']);
    const pruned = tfidf(docs, { ...ALL, minDf: 4, maxDfRatio: 0.5 });
    expect(pruned.vocabulary).toEqual([]);
    expect([...pruned.vectors.indptr]).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps rows unit-length or empty, and is deterministic (property)', () => {
    const docs = fc.array(
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.double({ min: 0.1, max: 5 })),
      {
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(docs, (raw) => {
        const bags = raw.map((d) => new Map(Object.entries(d)));
        const space = tfidf(bags, { minDf: 1, maxDfRatio: 0.9, maxFeatures: 4 });
        const m = space.vectors;
        for (let r = 0; r < m.rows; r++) {
          let s = 0;
          for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
            s += m.values[k]! ** 2;
            if (k > m.indptr[r]!) expect(m.indices[k]!).toBeGreaterThan(m.indices[k - 1]!);
          }
          if (m.indptr[r + 1]! > m.indptr[r]!) expect(s).toBeCloseTo(1, 5);
        }
        expect(space.vocabulary.length).toBeLessThanOrEqual(4);
        expect(tfidf(bags, { minDf: 1, maxDfRatio: 0.9, maxFeatures: 4 })).toEqual(space);
      }),
    );
  });
});
