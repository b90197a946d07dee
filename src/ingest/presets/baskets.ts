import { CsvError } from '../files/csv.js';
import { isDirectory, listFiles } from './input-paths.js';
import type { ImportRecord, Preset } from './preset.js';
import { csvRowsOf, rejectAt } from './read-source.js';
import { contentId } from './record-id.js';

/**
 * Basket lists: one basket per line, its items separated by commas, no header (the arules
 * Groceries data, most market-basket benchmarks). Each basket becomes an anonymous
 * `Order Completed` with `order_id` = `basket-<line>`, one product line per distinct item
 * (quantity = times listed) and a deterministic time, `start` + (line - 1) seconds, so baskets keep
 * their order; each distinct item name becomes a catalog item, the name as id and title. Baskets
 * carry no prices, so orders have no revenue.
 */

/** The `baskets` preset. */
export const basketsPreset: Preset = {
  name: 'baskets',
  summary: 'basket lists like Groceries: one basket per line, items separated by commas, no header',
  async files(paths) {
    const files = [];
    for (const path of paths) {
      if (await isDirectory(path)) files.push(...(await listFiles(path)));
      else files.push(path);
    }
    return files.map((path) => ({ path, role: 'baskets' }));
  },
  async columns() {
    return null;
  },
  async *read(files, ctx) {
    const seen = new Set<string>(); // bounded by the catalog
    for (const { path } of files) {
      try {
        for await (const rows of csvRowsOf(path, ctx)) {
          for (const row of rows) {
            const counts = new Map<string, number>();
            for (const name of row.fields) {
              if (name.trim() === '') continue;
              counts.set(name, (counts.get(name) ?? 0) + 1);
            }
            if (counts.size === 0) {
              yield rejectAt(path, row.line, 'event', 'products', 'products: the basket lists no items');
              continue;
            }
            for (const name of counts.keys()) {
              if (seen.has(name)) continue;
              seen.add(name);
              yield { kind: 'item', file: path, line: row.line, raw: { id: name, title: name.trim() } };
            }
            const orderId = `basket-${row.line}`;
            const id = contentId('basket', `${row.line}\n${row.fields.join(',')}`);
            yield {
              kind: 'event',
              file: path,
              line: row.line,
              id,
              raw: {
                type: 'track',
                event: 'Order Completed',
                anonymousId: orderId,
                timestamp: new Date(ctx.options.start + (row.line - 1) * 1000).toISOString(),
                properties: {
                  order_id: orderId,
                  products: [...counts].map(([product_id, quantity]) => ({ product_id, quantity })),
                },
              },
            } satisfies ImportRecord;
          }
        }
      } catch (e) {
        if (!(e instanceof CsvError)) throw e;
        yield rejectAt(path, e.line, 'event', '(file)', e.message);
      }
    }
  },
};
