import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { MemorySink } from './memory-sink.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-movielens-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function layout(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, body] of Object.entries(files)) writeFileSync(join(dir, file), body);
  return dir;
}

const flags = (...on: number[]) =>
  Array.from({ length: 19 }, (_, i) => (on.includes(i) ? '1' : '0')).join('|');

describe('movielens preset', () => {
  it('reads ml-100k (u.data, u.item, u.user; ISO-8859-1)', async () => {
    const dir = layout('ml-100k', {
      'u.data': '196\t242\t3\t881250949\n186\t302\t3\t891717742\n',
      'u.item': Buffer.from(
        `242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|${flags(5)}\n` +
          `302|L.A. Confidential (1997)|01-Jan-1997||http://us.imdb.com/x|${flags(6, 10, 13, 16)}\n` +
          `1682|Scream of Stone (Schrei aus Stein) (1991)|08-Mar-1996||x|${flags(8)}\n` +
          `1300|Cit\u00e9 des enfants perdus, La (1995)|01-Jan-1995||x|${flags(9)}\n`,
        'latin1',
      ),
      'u.user': '196|49|M|writer|55105\n186|39|F|executive|00000\n',
      'u1.base': 'ignored\n',
    });
    const sink = new MemorySink();
    const summary = await importFiles([dir], {}, sink);
    expect(summary.files.map((f) => f.path.split('/').at(-1))).toEqual(['u.item', 'u.user', 'u.data']);
    expect(summary.events.accepted).toBe(2);
    expect(summary.items.accepted).toBe(4);
    expect(summary.users.accepted).toBe(2);
    expect(sink.events[0]).toMatchObject({
      messageId: 'movielens-196-242-881250949',
      type: 'track',
      event: 'Product Reviewed',
      userId: '196',
      itemId: '242',
      rating: 3,
      timestamp: 881_250_949_000,
    });
    expect(sink.items.get('302')).toMatchObject({
      title: 'L.A. Confidential (1997)',
      category: 'Crime',
      tags: ['Crime', 'Film-Noir', 'Mystery', 'Thriller'],
      attributes: { year: 1997, releaseDate: '1997-01-01' },
      url: 'http://us.imdb.com/x',
    });
    expect(sink.items.get('1300')!.title).toBe('Cité des enfants perdus, La (1995)');
    expect(sink.users.get('186')!.traits).toEqual({
      age: 39,
      gender: 'F',
      occupation: 'executive',
      zip: '00000',
    });
  });

  it('reads ml-1m (*.dat with ::)', async () => {
    const dir = layout('ml-1m', {
      'ratings.dat': '1::1193::5::978300760\n1::661::3::978302109\n2::1193::bad::978300760\n',
      'movies.dat': Buffer.from(
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n" +
          '3196::Stalag 17 (1953)::Drama|War\n',
        'latin1',
      ),
      'users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n',
    });
    const sink = new MemorySink();
    const summary = await importFiles([dir], { preset: 'movielens' }, sink);
    expect(summary.events).toMatchObject({ read: 3, accepted: 2, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 3, field: 'properties.rating' });
    expect(sink.items.get('661')).toMatchObject({
      category: 'Animation',
      tags: ['Animation', "Children's", 'Musical'],
      attributes: { year: 1996 },
    });
    expect(sink.users.get('1')!.traits).toEqual({
      gender: 'F',
      ageGroup: 'Under 18',
      occupation: 'K-12 student',
      zip: '48067',
    });
  });

  it('reads ml-latest (ratings.csv, movies.csv with quoted titles; UTF-8; gzipped too)', async () => {
    const dir = layout('ml-latest-small', {
      'ratings.csv': gzipSync(
        'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.5,964981247\r\n',
      ),
      'movies.csv':
        'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n' +
        '3,"American President, The (1995)",Comedy|Drama|Romance\n' +
        '4,"Crónica de una fuga (2006)",(no genres listed)\n',
      'links.csv': 'movieId,imdbId,tmdbId\n1,0114709,862\n',
      'tags.csv': 'userId,movieId,tag,timestamp\n',
    });
    const sink = new MemorySink();
    const summary = await importFiles([dir], {}, sink);
    expect(summary.rows).toBe(5);
    expect(sink.events.map((e) => [e.userId, e.itemId, e.rating])).toEqual([
      ['1', '1', 4],
      ['1', '3', 4.5],
    ]);
    expect(sink.items.get('3')).toMatchObject({
      title: 'American President, The (1995)',
      category: 'Comedy',
    });
    expect(sink.items.get('4')).toMatchObject({
      title: 'Crónica de una fuga (2006)',
      category: null,
      tags: [],
    });
    // Re-importing stores no rating twice.
    expect((await importFiles([dir], {}, sink)).events.duplicates).toBe(2);
  });

  it('accepts single files and explains the ones it does not read', async () => {
    const dir = layout('single', {
      'ratings.csv': 'userId,movieId,rating,timestamp\n7,9,2,1\n',
      'tags.csv': 'x\n',
    });
    const sink = new MemorySink();
    await importFiles([join(dir, 'ratings.csv')], {}, sink);
    expect(sink.events).toHaveLength(1);
    await expect(importFiles([join(dir, 'tags.csv')], { preset: 'movielens' }, sink)).rejects.toThrow(
      /tags\.csv: not a MovieLens file this preset reads/,
    );
  });

  it('renames columns with --map', async () => {
    const dir = layout('mapped', {
      'ratings.csv': 'user,movie,stars,ts\n7,9,2,1\n',
      'movies.csv': 'movieId,title,genres\n9,X,Drama\n',
    });
    const sink = new MemorySink();
    await importFiles([dir], { map: 'user=userId,movie=movieId,stars=rating,ts=timestamp' }, sink);
    expect(sink.events[0]).toMatchObject({ userId: '7', itemId: '9', rating: 2, timestamp: 1000 });
    await expect(importFiles([dir], { map: 'usr=userId' }, sink)).rejects.toThrow(
      '--map: unknown column "usr"; available columns: movieId, title, genres, user, movie, stars, ts',
    );
  });
});
