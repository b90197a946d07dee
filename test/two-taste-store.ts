import type { Item, StoredEvent } from '../src/store/records.js';
import { event, item } from '../src/store/store.conformance.js';

/**
 * A small store with planted taste for training and serving tests: 60 shoppers, half of them
 * buying and viewing kitchen items (k0..k9), half garden items (g0..g9); a catalog of both plus
 * `k-new`, a kitchen item nobody has touched. Events run one minute apart from 2025-01-01.
 */
export function twoTasteStore(): { events: StoredEvent[]; items: Item[] } {
  const items: Item[] = [];
  for (const [prefix, category, words] of [
    ['k', 'Kitchen', 'chef knife steel pan'],
    ['g', 'Garden', 'garden hose spade seeds'],
  ] as const)
    for (let i = 0; i < 10; i++)
      items.push(
        item({
          id: `${prefix}${i}`,
          title: `${words.split(' ')[i % 4]} ${prefix}${i}`,
          category,
          brand: i % 2 === 0 ? 'Acme' : 'Bolt',
          price: 10 + i,
          cost: 5,
          stock: i === 9 ? 0 : 10,
        }),
      );
  items.push(
    item({ id: 'k-new', title: 'chef knife pan deluxe', category: 'Kitchen', brand: 'Acme', price: 30 }),
  );
  const events: StoredEvent[] = [];
  let at = 0;
  for (let round = 0; round < 4; round++)
    for (let u = 0; u < 60; u++) {
      const prefix = u % 2 === 0 ? 'k' : 'g';
      // Each shopper views two of their side's items, three apart, and every other round buys both.
      const a = `${prefix}${(u + round) % 10}`;
      const b = `${prefix}${(u + round + 3) % 10}`;
      events.push(event({ event: 'Product Viewed', userId: `u${u}`, properties: { product_id: a } }, at++));
      events.push(event({ event: 'Product Viewed', userId: `u${u}`, properties: { product_id: b } }, at++));
      if (round % 2 === 1)
        events.push(
          event(
            {
              event: 'Order Completed',
              userId: `u${u}`,
              properties: {
                order_id: `o${u}-${round}`,
                products: [
                  { product_id: a, price: 10, quantity: 1 },
                  { product_id: b, price: 12, quantity: 1 },
                ],
              },
            },
            at++,
          ),
        );
    }
  return { events, items };
}
