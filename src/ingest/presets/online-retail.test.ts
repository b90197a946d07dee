import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../store/records.js';
import { importFiles } from '../import.js';
import { MemorySink } from './memory-sink.js';
import { parseInvoiceDate } from './online-retail.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-retail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${[HEADER, ...lines].join('\r\n')}\r\n`);
  return path;
}

const byId = (sink: MemorySink, id: string) => sink.events.find((e) => e.messageId === id)!;
const products = (e: StoredEvent) => e.properties!.products as Record<string, unknown>[];

describe('online-retail preset', () => {
  it('maps invoices to orders, refunds and adjustments, keeping every line', async () => {
    const path = file('retail.csv', [
      '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,POST,POSTAGE,1,2010-12-01 08:27:00,18,17850.0,United Kingdom',
      '536366,22633,"HAND WARMER UNION JACK, RED",6,2011-06-01 08:28:00,1.85,,United Kingdom',
      'C536379,D,Discount,-1,2011-06-01 09:41:00,27.5,14527,United Kingdom',
      '536380,22961,JAM MAKING SET PRINTED,-3,2011-06-02 10:00:00,0,,United Kingdom',
      '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-01 08:28:00,2.95,17850,United Kingdom',
      'A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,-11062.06,,United Kingdom',
      '536381,22961,damaged,5,12/3/2010 9:05,0,,United Kingdom',
      '536382,22961,,x,2010-12-03 09:05:00,1,,United Kingdom',
      '536383,22961,,0,2010-12-03 09:05:00,1,,United Kingdom',
      '536384,22961,,1,2010-12-03 09:05:00,-1,,United Kingdom',
      '536385,22961,,1,someday,1,,United Kingdom',
      '536365,22961,X,1,2010-12-01 08:30:00,1,99999,United Kingdom',
    ]);
    const sink = new MemorySink();
    const summary = await importFiles([path], {}, sink);
    expect(summary.rows).toBe(13);
    expect(summary.events).toEqual({ read: 11, accepted: 6, rejected: 5, duplicates: 0 });
    expect(summary.rejects.map((r) => [r.line, r.field, r.message])).toEqual([
      [10, 'Quantity', 'Quantity: expected a whole number, got "x"'],
      [11, 'Quantity', 'Quantity: is 0'],
      [12, 'UnitPrice', 'UnitPrice: is negative outside an A (bad debt adjustment) invoice'],
      [13, 'InvoiceDate', 'InvoiceDate: expected YYYY-MM-DD HH:MM[:SS] or M/D/YYYY H:MM, got "someday"'],
      [14, 'CustomerID', `CustomerID: "99999" differs from "17850" on the invoice's first line`],
    ]);

    // The interrupted invoice 536365 is one order, timed at its first line, with the .0 dropped.
    const order = byId(sink, 'online-retail-536365');
    expect(order).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: '17850',
      orderId: '536365',
      revenue: 39.2,
      currency: 'GBP',
      timestamp: Date.parse('2010-12-01T08:26:00Z'),
    });
    expect(order.products).toEqual([
      { productId: '85123A', price: 2.55, quantity: 6 },
      { productId: 'POST', price: 18, quantity: 1 },
      { productId: '85123A', price: 2.95, quantity: 2 },
    ]);
    expect(order.properties).toMatchObject({ country: 'United Kingdom' });

    // Summer time: 08:28 in London is 07:28 UTC. No customer: an anonymous order.
    const anonymous = byId(sink, 'online-retail-536366');
    expect(anonymous).toMatchObject({ userId: null, anonymousId: 'invoice-536366' });
    expect(anonymous.timestamp).toBe(Date.parse('2011-06-01T07:28:00Z'));
    expect(products(anonymous)[0]).toMatchObject({ name: 'HAND WARMER UNION JACK, RED' });

    expect(byId(sink, 'online-retail-C536379')).toMatchObject({
      event: 'Order Refunded',
      orderId: 'C536379',
      revenue: 27.5,
      products: [{ productId: 'D', price: 27.5, quantity: 1 }],
    });
    expect(byId(sink, 'online-retail-536380')).toMatchObject({
      event: 'Stock Adjusted',
      properties: { invoice_no: '536380', products: [{ product_id: '22961', price: 0, quantity: -3 }] },
    });
    expect(byId(sink, 'online-retail-A563185')).toMatchObject({
      event: 'Bad Debt Adjusted',
      properties: { amount: -11062.06, currency: 'GBP' },
    });
    // A spreadsheet-style date (M/D/YYYY H:MM) is accepted.
    expect(byId(sink, 'online-retail-536381').timestamp).toBe(Date.parse('2010-12-03T09:05:00Z'));

    // Items: the sale's description wins over a write-off note; the latest positive price.
    expect(sink.items.get('85123A')).toMatchObject({
      title: 'WHITE HANGING HEART T-LIGHT HOLDER',
      price: 2.95,
    });
    expect(sink.items.get('22961')).toMatchObject({
      title: 'JAM MAKING SET PRINTED',
      price: null,
      currency: 'GBP',
    });
    expect(sink.items.get('POST')).toMatchObject({ available: false, attributes: { kind: 'postage' } });
    expect(sink.items.get('D')).toMatchObject({ available: false, attributes: { kind: 'discount' } });
    expect(sink.items.get('85123A')!.createdAt).toBe(Date.parse('2010-12-01T08:26:00Z'));

    // Importing again stores nothing new.
    const again = await importFiles([path], {}, sink);
    expect(again.events.duplicates).toBe(6);
  });

  it('honors the timezone option and Online Retail II column names', async () => {
    const path = join(dir, 'retail2.csv');
    writeFileSync(
      path,
      'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n' +
        '489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2010-07-01 07:45:00,6.95,13085.0,United Kingdom\n',
    );
    const sink = new MemorySink();
    await importFiles([path], { preset: 'online-retail', timezone: 'UTC' }, sink);
    expect(sink.events[0]).toMatchObject({ userId: '13085', timestamp: Date.parse('2010-07-01T07:45:00Z') });
  });

  it('splits an invoice longer than the 10,000-line cap of products[] into parts', async () => {
    const lines = Array.from(
      { length: 10_204 },
      (_, i) => `577777,SKU${i},THING,1,2011-01-05 10:00:00,1,,France`,
    );
    const sink = new MemorySink();
    const summary = await importFiles([file('long.csv', lines)], {}, sink);
    expect(summary.events.rejected).toBe(0);
    expect(sink.events.map((e) => [e.messageId, e.products!.length, e.revenue])).toEqual([
      ['online-retail-577777', 10_000, 10_000],
      ['online-retail-577777-lines10001', 204, 204],
    ]);
  });

  it('rejects a file without the Online Retail columns', async () => {
    const path = join(dir, 'other.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    await expect(importFiles([path], { preset: 'online-retail' }, new MemorySink())).rejects.toThrow(
      /other\.csv: not an Online Retail file: missing column\(s\) InvoiceNo/,
    );
  });

  it('parses both date layouts', () => {
    expect(parseInvoiceDate('2011-12-09 12:50:00')).toBe(Date.UTC(2011, 11, 9, 12, 50));
    expect(parseInvoiceDate('12/9/2011 12:50')).toBe(Date.UTC(2011, 11, 9, 12, 50));
    expect(parseInvoiceDate('2011-02-30 12:50')).toBeNull();
  });
});

const REAL = fileURLToPath(
  new URL('../../../../shared/datasets/online-retail/online_retail.csv', import.meta.url),
);
const haveReal = existsSync(REAL);

describe('online-retail preset on the real UCI file', () => {
  it.skipIf(!haveReal)(
    haveReal
      ? 'reproduces the manifest figures exactly'
      : 'reproduces the manifest figures exactly (SKIPPED: ../shared/datasets/online-retail/online_retail.csv not found)',
    async () => {
      // Aggregate on the fly instead of keeping 26k orders: the sink sees one batch at a time.
      const invoices = new Set<string>();
      const customers = new Set<string>();
      const itemIds = new Set<string>();
      const byEvent: Record<string, number> = {};
      let lines = 0;
      let anonymousLines = 0;
      let refundLines = 0;
      let milliPounds = 0; // sum of quantity x price in 1/1000 GBP, exact in integers
      let bstChecked = false;
      const sink = {
        async appendEvents(events: readonly StoredEvent[]) {
          for (const e of events) {
            const p = e.properties!;
            invoices.add(String(p.order_id ?? p.invoice_no));
            byEvent[e.event!] = (byEvent[e.event!] ?? 0) + 1;
            const ps = p.products as { quantity: number; price: number }[];
            lines += ps.length;
            if (e.userId) customers.add(e.userId);
            else anonymousLines += ps.length;
            const sign = e.event === 'Order Refunded' ? -1 : 1;
            if (e.event === 'Order Refunded') refundLines += ps.length;
            for (const l of ps) milliPounds += Math.round(sign * l.quantity * l.price * 1000);
            if (e.messageId === 'online-retail-555156') {
              expect(e.timestamp).toBe(Date.parse('2011-06-01T06:37:00Z')); // 07:37 BST
              bstChecked = true;
            }
          }
          return { stored: events.length, duplicates: 0 };
        },
        async upsertItems(items: readonly { id: string }[]) {
          for (const i of items) itemIds.add(i.id);
        },
        async upsertUsers() {},
      };
      const summary = await importFiles([REAL], {}, sink);
      expect(summary.rows).toBe(541_909);
      expect(summary.events.rejected + summary.items.rejected).toBe(0);
      expect(invoices.size).toBe(25_900);
      // One event per invoice; the longest (573585) has 1,114 lines.
      expect(summary.events.accepted).toBe(25_900);
      expect(byEvent).toEqual({
        'Order Completed': 20_725,
        'Order Refunded': 3_836,
        'Stock Adjusted': 1_336,
        'Bad Debt Adjusted': 3,
      });
      expect(lines).toBe(541_909);
      expect(itemIds.size).toBe(4_070);
      expect(customers.size).toBe(4_372);
      expect(anonymousLines).toBe(135_080);
      expect(refundLines).toBe(9_288);
      expect((milliPounds / 1000).toFixed(2)).toBe('9747747.93');
      expect(bstChecked).toBe(true);
    },
  );
});
