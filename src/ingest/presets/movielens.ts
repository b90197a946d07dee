import { CsvError } from '../files/csv.js';
import { plainName } from '../files/file-format.js';
import { readFirstLine } from '../files/text-file.js';
import { parseCsvHeader } from './csv-header.js';
import { isDirectory, listFiles } from './input-paths.js';
import type { ImportRecord, InputFile, Preset, PresetContext } from './preset.js';
import { csvRowsOf, rejectAt, splitLinesOf } from './read-source.js';

/**
 * MovieLens ratings (GroupLens), the reference data of recommender research, in its three layouts:
 *
 * - ml-100k: `u.data` (tab: user, item, rating, Unix seconds), `u.item` (`|`: id, title, release
 *   date, video release date, IMDb URL, 19 genre flags), `u.user` (`|`: id, age, gender,
 *   occupation, zip); ISO-8859-1.
 * - ml-1m: `ratings.dat`, `movies.dat` (id::title::genres with `|`), `users.dat` (id::gender::age
 *   group::occupation code::zip); `::`-separated, ISO-8859-1.
 * - ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m: `ratings.csv` (userId,movieId,rating,timestamp)
 *   and `movies.csv` (movieId,title,genres), RFC 4180 CSV in UTF-8.
 *
 * Ratings become `Product Reviewed` events (userId, `product_id` = movie id, `rating`, the rating's
 * time) with messageId `movielens-<user>-<movie>-<seconds>`. Movies become items: the title as in
 * the file, `category` = first genre, `tags` = all genres, `attributes.year` from the title's
 * "(1995)". Users become user records with their demographics as traits. A directory imports
 * movies, then users, then ratings; other files in it (tags.csv, links.csv, u1.base, ...) are ignored.
 */

/** The file names of the three layouts, by role. */
const ROLES: Record<string, 'items' | 'users' | 'ratings'> = {
  'u.item': 'items',
  'movies.dat': 'items',
  'movies.csv': 'items',
  'u.user': 'users',
  'users.dat': 'users',
  'u.data': 'ratings',
  'ratings.dat': 'ratings',
  'ratings.csv': 'ratings',
};
const ORDER = { items: 0, users: 1, ratings: 2 };

/** The MovieLens file names this preset reads. */
export const MOVIELENS_FILES = Object.keys(ROLES);

/** ml-100k genre flags, in file order. */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** ml-1m occupation codes (README of ml-1m). */
const ML1M_OCCUPATIONS = [
  'other',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
];

/** ml-1m age group codes. */
const ML1M_AGES: Record<string, string> = {
  '1': 'Under 18',
  '18': '18-24',
  '25': '25-34',
  '35': '35-44',
  '45': '45-49',
  '50': '50-55',
  '56': '56+',
};

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** True when a directory listing holds one of the MovieLens layouts. */
export function looksLikeMovieLens(names: readonly string[]): boolean {
  const set = new Set(names.map((n) => plainName(n)));
  return set.has('u.data') || set.has('ratings.dat') || (set.has('ratings.csv') && set.has('movies.csv'));
}

/** The `movielens` preset. */
export const movielensPreset: Preset = {
  name: 'movielens',
  summary: 'MovieLens 100k (u.data, u.item, u.user), 1M (*.dat) or latest/25M (ratings.csv, movies.csv)',
  async files(paths) {
    const found: InputFile[] = [];
    for (const path of paths) {
      if (await isDirectory(path)) {
        const inside = (await listFiles(path)).filter((f) => ROLES[plainName(f)]);
        if (!inside.some((f) => ROLES[plainName(f)] === 'ratings')) {
          throw new Error(
            `${path}: no MovieLens ratings file (u.data, ratings.dat or ratings.csv) in this directory`,
          );
        }
        found.push(...inside.map((f) => ({ path: f, role: plainName(f) })));
      } else if (ROLES[plainName(path)]) {
        found.push({ path, role: plainName(path) });
      } else {
        throw new Error(`${path}: not a MovieLens file this preset reads (${MOVIELENS_FILES.join(', ')})`);
      }
    }
    return found.sort((a, b) => ORDER[ROLES[a.role]!] - ORDER[ROLES[b.role]!]);
  },
  async columns(file) {
    return file.role.endsWith('.csv') ? parseCsvHeader(await readFirstLine(file.path)) : null;
  },
  async *read(files, ctx) {
    for (const { path, role } of files) {
      switch (role) {
        case 'u.item':
          for await (const r of splitLinesOf(path, ctx, '|', 'latin1'))
            yield ml100kMovie(path, r.fields, r.line);
          break;
        case 'movies.dat':
          for await (const r of splitLinesOf(path, ctx, '::', 'latin1')) yield movie(path, r.line, r.fields);
          break;
        case 'u.user':
          for await (const r of splitLinesOf(path, ctx, '|', 'latin1'))
            yield ml100kUser(path, r.fields, r.line);
          break;
        case 'users.dat':
          for await (const r of splitLinesOf(path, ctx, '::', 'latin1'))
            yield ml1mUser(path, r.fields, r.line);
          break;
        case 'u.data':
          for await (const r of splitLinesOf(path, ctx, '\t', 'latin1')) yield rating(path, r.line, r.fields);
          break;
        case 'ratings.dat':
          for await (const r of splitLinesOf(path, ctx, '::', 'latin1')) yield rating(path, r.line, r.fields);
          break;
        case 'movies.csv':
          yield* csvWithHeader(path, ctx, 'item', ['movieId', 'title', 'genres'], (f, line) =>
            movie(path, line, f),
          );
          break;
        case 'ratings.csv':
          yield* csvWithHeader(path, ctx, 'event', ['userId', 'movieId', 'rating', 'timestamp'], (f, line) =>
            rating(path, line, f),
          );
          break;
      }
    }
  },
};

/** Reads a MovieLens CSV by column name and hands the cells to `make` in the order of `wanted`. */
async function* csvWithHeader(
  file: string,
  ctx: PresetContext,
  of: 'item' | 'event',
  wanted: string[],
  make: (fields: string[], line: number) => ImportRecord,
): AsyncGenerator<ImportRecord> {
  let index: number[] | null = null;
  try {
    for await (const rows of csvRowsOf(file, ctx, { encoding: 'utf8' })) {
      for (const row of rows) {
        if (index === null) {
          const names = ctx.options.map.columns(row.fields.map((f) => f.trim()));
          index = wanted.map((w) => names.indexOf(w));
          const missing = wanted.filter((_, i) => index![i] === -1 && i < 2);
          if (missing.length > 0) {
            throw new Error(
              `${file}: missing column(s) ${missing.join(', ')} (columns: ${names.join(', ')})`,
            );
          }
          ctx.countRows(-1); // the header is not a data row
          continue;
        }
        yield make(
          index.map((i) => (i === -1 ? '' : (row.fields[i] ?? ''))),
          row.line,
        );
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    yield rejectAt(file, e.line, of, '(file)', e.message);
  }
}

function genresOf(text: string): string[] {
  return text
    .split('|')
    .map((g) => g.trim())
    .filter((g) => g !== '' && g !== '(no genres listed)');
}

function yearOf(title: string): number | undefined {
  const m = /\((\d{4})[^)]*\)\s*$/.exec(title);
  return m ? Number(m[1]) : undefined;
}

function itemRecord(file: string, line: number, id: string, title: string, genres: string[], extra = {}) {
  const year = yearOf(title);
  return {
    kind: 'item' as const,
    file,
    line,
    raw: {
      id,
      title: title || null,
      category: genres[0] ?? null,
      tags: genres,
      attributes: { ...(year ? { year } : {}), ...extra },
    },
  };
}

function movie(file: string, line: number, [id = '', title = '', genres = '']: string[]): ImportRecord {
  return itemRecord(file, line, id.trim(), title.trim(), genresOf(genres));
}

function ml100kMovie(file: string, f: string[], line: number): ImportRecord {
  if (f.length < 5)
    return rejectAt(file, line, 'item', '(line)', `expected 24 |-separated fields, got ${f.length}`);
  const genres = ML100K_GENRES.filter((_, i) => f[5 + i] === '1');
  const release = /^(\d{2})-([A-Za-z]{3})-(\d{4})$/.exec(f[2]!.trim());
  const releaseDate = release
    ? `${release[3]}-${MONTHS[release[2]!.toLowerCase()]}-${release[1]}`
    : undefined;
  const record = itemRecord(
    file,
    line,
    f[0]!.trim(),
    f[1]!.trim(),
    genres,
    releaseDate ? { releaseDate } : {},
  );
  const imdb = f[4]!.trim();
  return imdb ? { ...record, raw: { ...record.raw, url: imdb } } : record;
}

function ml100kUser(
  file: string,
  [id = '', age = '', gender = '', occupation = '', zip = '']: string[],
  line: number,
) {
  const traits: Record<string, unknown> = { gender, occupation, zip };
  if (age.trim() !== '') traits.age = Number.isFinite(Number(age)) ? Number(age) : age;
  return { kind: 'user' as const, file, line, raw: { userId: id.trim(), traits } };
}

function ml1mUser(
  file: string,
  [id = '', gender = '', age = '', occupation = '', zip = '']: string[],
  line: number,
) {
  const traits = {
    gender,
    ageGroup: ML1M_AGES[age.trim()] ?? age,
    occupation: ML1M_OCCUPATIONS[Number(occupation)] ?? occupation,
    zip,
  };
  return { kind: 'user' as const, file, line, raw: { userId: id.trim(), traits } };
}

function rating(
  file: string,
  line: number,
  [user = '', movieId = '', value = '', seconds = '']: string[],
): ImportRecord {
  const ts = Number(seconds);
  if (seconds.trim() === '' || !Number.isFinite(ts)) {
    return rejectAt(file, line, 'event', 'timestamp', `timestamp: expected Unix seconds, got "${seconds}"`);
  }
  const userId = user.trim();
  const productId = movieId.trim();
  const stamp = seconds.trim();
  return {
    kind: 'event',
    file,
    line,
    id: `movielens-${userId}-${productId}-${stamp}`,
    raw: {
      type: 'track',
      event: 'Product Reviewed',
      userId,
      timestamp: new Date(ts * 1000).toISOString(),
      properties: { product_id: productId, rating: value.trim() === '' ? undefined : value.trim() },
    },
  };
}
