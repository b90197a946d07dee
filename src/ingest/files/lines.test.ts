import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, textLines } from './lines.js';

function split(chunks: string[], max?: number) {
  const s = new LineSplitter({ maxLineLength: max });
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

describe('LineSplitter', () => {
  it('handles CRLF, blank lines, a BOM and a last line without newline, numbering lines', () => {
    expect(split(['\uFEFF{"a":1}\r\n\r\n  \n{"b":', '2}\n{"c":3}'])).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 4 },
      { text: '{"c":3}', line: 5 },
    ]);
  });

  it('flags over-long lines instead of buffering them', () => {
    expect(split(['short\n0123', '456789abcdef\nok'], 8)).toEqual([
      { text: 'short', line: 1 },
      { text: '', line: 2, tooLong: true },
      { text: 'ok', line: 3 },
    ]);
  });

  it('gives the same lines however the input is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\n', '\r\n', '{', '𝄞') }), {
          maxLength: 10,
        }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (parts, cuts) => {
          const text = parts.join('\n');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(text.slice(prev, p));
            prev = p;
          }
          chunks.push(text.slice(prev));
          const expected = text
            .split('\n')
            .map((t, i) => ({ text: t.endsWith('\r') ? t.slice(0, -1) : t, line: i + 1 }))
            .filter((l) => l.text.trim() !== '');
          expect(split(chunks)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('streams from an async iterable', async () => {
    async function* chunks() {
      yield 'a\nb';
      yield 'c\n';
    }
    const out = [];
    for await (const l of textLines(chunks())) out.push(l.text);
    expect(out).toEqual(['a', 'bc']);
  });
});
