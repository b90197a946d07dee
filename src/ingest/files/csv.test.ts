import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, CsvParser, csvField, csvRows } from './csv.js';

function parse(text: string, delimiter = ','): string[][] {
  return parseRows(text, delimiter).map((r) => r.fields);
}

function parseRows(text: string, delimiter = ',') {
  const p = new CsvParser({ delimiter });
  return [...p.push(text), ...p.end()];
}

function parseChunked(chunks: string[], delimiter = ',') {
  const p = new CsvParser({ delimiter });
  const rows = chunks.flatMap((c) => p.push(c));
  return [...rows, ...p.end()];
}

/** Serializes a table as RFC 4180, quoting what needs it (and randomly more). */
function serialize(
  table: string[][],
  delimiter: string,
  eols: string[],
  quoteAll: boolean[],
  trailingEol: boolean,
) {
  const lines = table.map((row, r) => {
    if (row.length === 1 && row[0] === '') return '""';
    return row
      .map((f, c) =>
        quoteAll[(r * 7 + c) % quoteAll.length] ? `"${f.replaceAll('"', '""')}"` : csvField(f, delimiter),
      )
      .join(delimiter);
  });
  let out = '';
  lines.forEach((l, i) => {
    out += l;
    if (i < lines.length - 1 || trailingEol) out += eols[i % eols.length];
  });
  return out;
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(text.slice(prev, p));
    prev = p;
  }
  out.push(text.slice(prev));
  return out;
}

const fieldChars = fc.constantFrom(
  'a',
  'b',
  'Z',
  ' ',
  ',',
  '"',
  '\r',
  '\n',
  ';',
  ':',
  '|',
  '\t',
  'é',
  '€',
  '𝄞',
  '0',
);
const field = fc.oneof(fc.string({ unit: fieldChars, maxLength: 8 }), fc.string({ maxLength: 6 }));
const table = fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

describe('CsvParser', () => {
  it('parses quotes, doubled quotes, delimiters and newlines inside quotes', () => {
    expect(parse('a,"b,c","say ""hi""","x\ny"\n1,2,3,4\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'x\ny'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('handles CRLF, lone CR, a BOM, ragged rows, blank lines and a last line without newline', () => {
    expect(parse('\uFEFFa,b\r\nc\r\rd,e,f\n\n')).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
    expect(parse('x,y,')).toEqual([['x', 'y', '']]);
    expect(parse('""')).toEqual([['']]);
    expect(parse('')).toEqual([]);
  });

  it('reports the line each row starts on', () => {
    const rows = parseRows('h1,h2\r\n"multi\r\nline",2\r\n\r\nlast,3');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('supports tab, pipe, semicolon and multi-character delimiters', () => {
    expect(parse('1\t2\t3\n', '\t')).toEqual([['1', '2', '3']]);
    expect(parse('1|Toy Story (1995)|01-Jan-1995\n', '|')).toEqual([
      ['1', 'Toy Story (1995)', '01-Jan-1995'],
    ]);
    expect(parse('1::Toy Story (1995)::Animation|Comedy\n2::a:b::c', '::')).toEqual([
      ['1', 'Toy Story (1995)', 'Animation|Comedy'],
      ['2', 'a:b', 'c'],
    ]);
    expect(parseChunked(['1:', ':2:', ':3:'], '::').map((r) => r.fields)).toEqual([['1', '2', '3:']]);
  });

  it('keeps characters after a closing quote', () => {
    expect(parse('"ab"c,d')).toEqual([['abc', 'd']]);
  });

  it('names the line of an unterminated quote', () => {
    const p = new CsvParser();
    p.push('a,b\nc,"open\nmore\n');
    expect(() => p.end()).toThrow(CsvError);
    const q = new CsvParser();
    q.push('a\n"x');
    expect(() => q.end()).toThrow(/starting on line 2/);
  });

  it('bounds the length of a field', () => {
    const p = new CsvParser({ maxFieldLength: 10 });
    expect(() => p.push('"0123456789abc')).toThrow(/line 1 is longer than 10/);
  });

  it('rejects delimiters it cannot parse', () => {
    expect(() => new CsvParser({ delimiter: '"' })).toThrow(/delimiter/);
    expect(() => new CsvParser({ delimiter: '' })).toThrow(/delimiter/);
  });

  it('streams from an async iterable', async () => {
    async function* chunks() {
      yield 'a,"b';
      yield '\nc"\n1,2';
    }
    const rows = [];
    for await (const row of csvRows(chunks())) rows.push(row);
    expect(rows).toEqual([
      { fields: ['a', 'b\nc'], line: 1 },
      { fields: ['1', '2'], line: 3 },
    ]);
  });

  for (const delimiter of [',', '\t', ';', '|', '::']) {
    it(`round-trips random tables with delimiter ${JSON.stringify(delimiter)}, however the input is chunked`, () => {
      fc.assert(
        fc.property(
          table,
          fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 3 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 12 }),
          (t, eols, quoteAll, trailing, cuts) => {
            const text = serialize(t, delimiter, eols, quoteAll, trailing);
            expect(parse(text, delimiter)).toEqual(t);
            expect(parseChunked(splitAt(text, cuts), delimiter)).toEqual(parseRows(text, delimiter));
            // Also one character at a time, the worst case for the chunk-boundary logic.
            expect(parseChunked([...text], delimiter).map((r) => r.fields)).toEqual(t);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('reports the line each row starts on, wherever the input is split', () => {
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 8 }), (t, cuts) => {
        const lines = t.map((row) => serialize([row], ',', ['\n'], [false], false));
        const expected: number[] = [];
        let line = 1;
        for (const l of lines) {
          expected.push(line);
          line += (l.match(/\r\n|\r|\n/g) ?? []).length + 1;
        }
        const text = lines.join('\r\n');
        expect(parseChunked(splitAt(text, cuts)).map((r) => r.line)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
