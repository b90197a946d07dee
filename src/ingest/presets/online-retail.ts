import { CsvError } from '../files/csv.js';
import { readFirstLine } from '../files/text-file.js';
import { localToUtc } from '../time-zone.js';
import { parseCsvHeader } from './csv-header.js';
import type { ImportRecord, Preset, PresetContext } from './preset.js';
import { csvRowsOf, rejectAt } from './read-source.js';

/**
 * The UCI Online Retail data set (and Online Retail II, whose columns are `Invoice`, `Price` and
 * `Customer ID`): one CSV row per invoice line of a UK gift shop. The mapping keeps every line:
 * each ends up in exactly one event (or is reported as a reject with its reason), so the sum of
 * quantity x price over all events equals the file's.
 *
 * - Lines are grouped by InvoiceNo into one event per invoice. Lines of an invoice are nearly always
 *   contiguous; an invoice stays open for 5,000 rows after its last line, so an interrupted one
 *   (in the UCI file, 542806 is interrupted by C542805) is still one event. A part arriving later
 *   still becomes an event of its own (messageId suffix `-part2`), never a lost line.
 * - Numeric invoice, positive quantities: `Order Completed` with `order_id` = InvoiceNo,
 *   `products[]` = {product_id: StockCode, name: Description, price: UnitPrice, quantity},
 *   `revenue` = sum of quantity x price, `currency` GBP, `country`.
 * - `C` invoice (cancellation, negative quantities): `Order Refunded` with `order_id` = the `C`
 *   number, quantities made positive, `revenue` = the refunded amount.
 * - Numeric invoice, negative quantities (stock write-offs: "damaged", "thrown away", price 0, no
 *   customer): `Stock Adjusted` with `invoice_no` and `products[]` keeping the signed quantity and
 *   the note in `description`. An invoice mixing signs (absent from the UCI file) gives an order
 *   and an adjustment (messageId suffix `-adjustment`).
 * - `A` invoice ("Adjust bad debt", possibly negative price): `Bad Debt Adjusted` with `invoice_no`,
 *   signed `amount`, and the lines.
 * - CustomerID becomes `userId` (a float-formatted `17850.0` loses its `.0`); without one, the
 *   invoice is an anonymous order with `anonymousId` = `invoice-<InvoiceNo>`.
 * - InvoiceDate is naive UK wall-clock time (`YYYY-MM-DD HH:MM[:SS]`, or `M/D/YYYY H:MM` as
 *   spreadsheets export it), converted to UTC from the `timezone` option (default Europe/London,
 *   so summer-time dates move one hour). The event time is the invoice's earliest line.
 * - messageId `online-retail-<InvoiceNo>`: importing the file again, or an overlapping file, stores
 *   no invoice twice. An invoice of more than 10,000 lines (the event schema's cap on `products[]`;
 *   one in the UCI file, 573585 with 1,114 lines) is sent as several events with the same
 *   `order_id`, the later ones with messageId suffix `-lines10001`, ...; their revenues add up.
 * - Items: one per StockCode, with `title` = the first description seen on a sale (falling back to
 *   any line, since write-offs carry notes like "damaged"), `price` = the most recent positive unit
 *   price, currency GBP, `createdAt` = first appearance. Non-merchandise codes (POST, DOT, C2, M,
 *   D, S, BANK CHARGES, AMAZONFEE, CRUK, B, gift vouchers) are items with `available: false` and
 *   `attributes.kind` (postage, fee, discount, ...) so recommendations skip them.
 * - Rejected lines: unparseable quantity, price or date, zero quantity, a negative price outside an
 *   `A` invoice, a positive quantity in a `C` invoice, or a customer or country differing from the
 *   invoice's first line. The UCI file has none.
 */

const REQUIRED = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
];
const ALIASES: Record<string, string> = {
  Invoice: 'InvoiceNo',
  Price: 'UnitPrice',
  'Customer ID': 'CustomerID',
};
const NON_PRODUCT: Record<string, string> = {
  POST: 'postage',
  DOT: 'postage',
  C2: 'carriage',
  M: 'manual',
  m: 'manual',
  D: 'discount',
  S: 'samples',
  'BANK CHARGES': 'fee',
  AMAZONFEE: 'fee',
  CRUK: 'commission',
  B: 'adjustment',
};
const WINDOW = 5000;
const MAX_PRODUCTS = 10_000;
const MAX_OPEN = 10_000;
const CURRENCY = 'GBP';

interface Line {
  no: string;
  line: number;
  stock: string;
  description: string;
  quantity: number;
  price: number;
  /** InvoiceDate as wall-clock ms. */
  local: number;
  customer: string;
  country: string;
}

interface Invoice {
  no: string;
  customer: string;
  country: string;
  local: number;
  firstLine: number;
  lastSeq: number;
  lines: Line[];
}

interface CatalogEntry {
  title: string;
  titleRank: number;
  price: number | null;
  priceAt: number;
  firstAt: number;
  line: number;
}

/** Kind of a non-merchandise StockCode (postage, fee, ...), or null for a product. */
export function nonProductKind(stockCode: string): string | null {
  return NON_PRODUCT[stockCode] ?? (/^gift_/i.test(stockCode) ? 'voucher' : null);
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?/;
const US_LOCAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Parses InvoiceDate as wall-clock time, returned as ms since epoch as if it were UTC; null if malformed. */
export function parseInvoiceDate(text: string): number | null {
  const iso = ISO_LOCAL.exec(text);
  const m = iso ?? US_LOCAL.exec(text);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  const [y, mo, d] = iso ? [n(1), n(2), n(3)] : [n(3), n(1), n(2)];
  const [h, mi, s] = [n(4), n(5), n(6)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(t).getUTCDate() === d ? t : null;
}

/** Rounds away float noise (2.55 * 3 = 7.6499999...); `+ 0` turns -0 into 0. */
const round = (x: number) => Math.round(x * 1e6) / 1e6 + 0;

/** The `online-retail` preset. */
export const onlineRetailPreset: Preset = {
  name: 'online-retail',
  summary:
    'UCI Online Retail (I or II) CSV: invoice lines -> orders, refunds and adjustments, plus the catalog',
  async files(paths) {
    return paths.map((path) => ({ path, role: 'invoices' }));
  },
  async columns(file) {
    return parseCsvHeader(await readFirstLine(file.path));
  },
  async *read(files, ctx) {
    for (const file of files) yield* readInvoices(file.path, ctx);
  },
};

async function* readInvoices(file: string, ctx: PresetContext): AsyncGenerator<ImportRecord> {
  const zone = ctx.options.timezone ?? 'Europe/London';
  const open = new Map<string, Invoice>();
  const closedParts = new Map<string, number>();
  const catalog = new Map<string, CatalogEntry>();
  const dates: DateCache = { text: '', value: null };
  let columns: Columns | null = null;
  let seq = 0;

  const close = (inv: Invoice): ImportRecord[] => {
    open.delete(inv.no);
    const part = closedParts.get(inv.no) ?? 0;
    closedParts.set(inv.no, part + 1);
    return invoiceEvents(inv, part, file, zone);
  };

  try {
    for await (const rows of csvRowsOf(file, ctx)) {
      for (const row of rows) {
        if (columns === null) {
          columns = headerColumns(ctx.options.map.columns(row.fields.map((c) => c.trim())), file);
          ctx.countRows(-1); // the header is not a data row
          continue;
        }
        const l = parseLine(row.fields, row.line, columns, dates);
        if ('field' in l) {
          yield rejectAt(file, row.line, 'event', l.field, `${l.field}: ${l.message}`);
          continue;
        }
        let inv = open.get(l.no);
        if (inv && inv.customer !== l.customer) {
          const message = `CustomerID: "${l.customer}" differs from "${inv.customer}" on the invoice's first line`;
          yield rejectAt(file, row.line, 'event', 'CustomerID', message);
          continue;
        }
        if (inv && inv.country !== l.country) {
          const message = `Country: "${l.country}" differs from "${inv.country}" on the invoice's first line`;
          yield rejectAt(file, row.line, 'event', 'Country', message);
          continue;
        }
        seq++;
        if (!inv) {
          inv = {
            no: l.no,
            customer: l.customer,
            country: l.country,
            local: l.local,
            firstLine: row.line,
            lastSeq: seq,
            lines: [],
          };
          open.set(l.no, inv);
        }
        inv.lastSeq = seq;
        if (l.local < inv.local) inv.local = l.local;
        inv.lines.push(l);
        noteCatalog(catalog, l);
        for (const oldest of open.values()) {
          if (oldest.lastSeq >= seq - WINDOW) break;
          yield* close(oldest);
        }
        if (open.size > MAX_OPEN) {
          // An invoice that keeps recurring holds the head of the queue: close stale ones behind it.
          for (const inv of [...open.values()]) if (inv.lastSeq < seq - WINDOW) yield* close(inv);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    yield rejectAt(file, e.line, 'event', '(file)', e.message);
  }
  for (const inv of [...open.values()]) yield* close(inv);
  for (const [id, entry] of catalog) {
    const kind = nonProductKind(id);
    yield {
      kind: 'item',
      file,
      line: entry.line,
      raw: {
        id,
        title: entry.title || null,
        price: entry.price,
        currency: CURRENCY,
        available: kind === null,
        attributes: kind ? { kind } : {},
        createdAt: new Date(localToUtc(entry.firstAt, zone)).toISOString(),
        updatedAt: new Date(localToUtc(Math.max(entry.priceAt, entry.firstAt), zone)).toISOString(),
      },
    };
  }
}

interface Columns {
  invoice: number;
  stock: number;
  description: number;
  quantity: number;
  date: number;
  price: number;
  customer: number;
  country: number;
}

/** The last InvoiceDate parsed: consecutive lines of an invoice share it. */
interface DateCache {
  text: string;
  value: number | null;
}

/** Parses and checks one invoice line; returns the problem instead when it cannot be imported. */
function parseLine(
  f: readonly string[],
  line: number,
  c: Columns,
  dates: DateCache,
): Line | { field: string; message: string } {
  const no = (f[c.invoice] ?? '').trim();
  if (no === '') return { field: 'InvoiceNo', message: 'is empty' };
  const stock = (f[c.stock] ?? '').trim();
  if (stock === '') return { field: 'StockCode', message: 'is empty' };
  const quantityText = (f[c.quantity] ?? '').trim();
  const quantity = Number(quantityText);
  if (quantityText === '' || !Number.isInteger(quantity)) {
    return { field: 'Quantity', message: `expected a whole number, got "${quantityText}"` };
  }
  if (quantity === 0) return { field: 'Quantity', message: 'is 0' };
  const priceText = (f[c.price] ?? '').trim();
  const price = Number(priceText);
  if (priceText === '' || !Number.isFinite(price)) {
    return { field: 'UnitPrice', message: `expected a number, got "${priceText}"` };
  }
  const dateText = (f[c.date] ?? '').trim();
  if (dateText !== dates.text) {
    dates.text = dateText;
    dates.value = parseInvoiceDate(dateText);
  }
  if (dates.value === null) {
    return {
      field: 'InvoiceDate',
      message: `expected YYYY-MM-DD HH:MM[:SS] or M/D/YYYY H:MM, got "${dateText}"`,
    };
  }
  const prefix = no.charCodeAt(0) | 0x20; // lower-cased first character
  if (price < 0 && prefix !== 97 /* a */) {
    return { field: 'UnitPrice', message: 'is negative outside an A (bad debt adjustment) invoice' };
  }
  if (quantity > 0 && prefix === 99 /* c */) {
    return { field: 'Quantity', message: 'is positive in a C (cancellation) invoice' };
  }
  let customer = (f[c.customer] ?? '').trim();
  if (customer.endsWith('.0')) customer = customer.replace(/\.0+$/, '');
  return {
    no,
    line,
    stock,
    description: (f[c.description] ?? '').trim(),
    quantity,
    price,
    local: dates.value,
    customer,
    country: c.country === -1 ? '' : (f[c.country] ?? '').trim(),
  };
}

function headerColumns(names: string[], file: string): Columns {
  const index: Record<string, number> = {};
  names.forEach((name, i) => {
    const canonical = ALIASES[name] ?? name;
    if (canonical !== '' && index[canonical] === undefined) index[canonical] = i;
  });
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `${file}: not an Online Retail file: missing column(s) ${missing.join(', ')} (columns: ${names.join(', ')})`,
    );
  }
  return {
    invoice: index.InvoiceNo!,
    stock: index.StockCode!,
    description: index.Description!,
    quantity: index.Quantity!,
    date: index.InvoiceDate!,
    price: index.UnitPrice!,
    customer: index.CustomerID!,
    country: index.Country ?? -1,
  };
}

function noteCatalog(catalog: Map<string, CatalogEntry>, l: Line): void {
  let entry = catalog.get(l.stock);
  if (!entry) {
    entry = { title: '', titleRank: -1, price: null, priceAt: l.local, firstAt: l.local, line: l.line };
    catalog.set(l.stock, entry);
  }
  if (l.local < entry.firstAt) entry.firstAt = l.local;
  if (l.description !== '') {
    // A sale's description is the product name; write-offs carry notes ("damaged", "?").
    const prefix = l.no.charCodeAt(0) | 0x20;
    const sale = l.quantity > 0 && prefix !== 97 /* a */ && prefix !== 99; /* c */
    const rank = l.price > 0 ? (sale ? 2 : 1) : 0;
    if (rank > entry.titleRank) {
      entry.title = l.description;
      entry.titleRank = rank;
    }
  }
  if (l.price > 0 && (entry.price === null || l.local >= entry.priceAt)) {
    entry.price = l.price;
    entry.priceAt = l.local;
  }
}

function invoiceEvents(inv: Invoice, part: number, file: string, zone: string): ImportRecord[] {
  const messageId = part === 0 ? `online-retail-${inv.no}` : `online-retail-${inv.no}-part${part + 1}`;
  const timestamp = new Date(localToUtc(inv.local, zone)).toISOString();
  const who: Record<string, string> = inv.customer
    ? { userId: inv.customer }
    : { anonymousId: `invoice-${inv.no}` };
  const country = inv.country ? { country: inv.country } : {};
  const event = (name: string, properties: Record<string, unknown>, id = messageId): ImportRecord => ({
    kind: 'event',
    file,
    line: inv.firstLine,
    id,
    raw: { type: 'track', event: name, messageId: id, ...who, timestamp, properties },
  });
  const prefix = inv.no[0]!.toUpperCase();
  const orderLine = (l: Line, sign: number) => ({
    product_id: l.stock,
    ...(l.description ? { name: l.description } : {}),
    price: l.price,
    quantity: sign * l.quantity,
  });
  const ledgerLine = (l: Line) => ({
    product_id: l.stock,
    ...(l.description ? { description: l.description } : {}),
    price: l.price,
    quantity: l.quantity,
  });
  const amount = (lines: Line[]) => round(lines.reduce((sum, l) => sum + l.quantity * l.price, 0));

  if (prefix === 'A') {
    const products = inv.lines.map(ledgerLine);
    return [
      event('Bad Debt Adjusted', {
        invoice_no: inv.no,
        amount: amount(inv.lines),
        currency: CURRENCY,
        ...country,
        products,
      }),
    ];
  }
  // The event schema caps products[] at 10,000 lines; a longer invoice is sent in parts.
  const orderEvents = (name: string, lines: Line[], sign: number) => {
    const parts: ImportRecord[] = [];
    for (let k = 0; k < lines.length; k += MAX_PRODUCTS) {
      const slice = lines.slice(k, k + MAX_PRODUCTS);
      const properties = {
        order_id: inv.no,
        revenue: round(sign * amount(slice)),
        currency: CURRENCY,
        ...country,
        products: slice.map((l) => orderLine(l, sign)),
      };
      parts.push(event(name, properties, k === 0 ? messageId : `${messageId}-lines${k + 1}`));
    }
    return parts;
  };
  if (prefix === 'C') return orderEvents('Order Refunded', inv.lines, -1);
  const sold = inv.lines.filter((l) => l.quantity > 0);
  const adjusted = inv.lines.filter((l) => l.quantity < 0);
  const out: ImportRecord[] = orderEvents('Order Completed', sold, 1);
  if (adjusted.length > 0) {
    const products = adjusted.map(ledgerLine);
    out.push(
      event(
        'Stock Adjusted',
        { invoice_no: inv.no, ...country, products },
        sold.length > 0 ? `${messageId}-adjustment` : messageId,
      ),
    );
  }
  return out;
}
