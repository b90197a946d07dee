import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptMessages } from './accept.js';
import { validateMessage } from './messages.js';

const NOW = Date.UTC(2025, 5, 1, 12);
const ok = (raw: unknown, type?: 'track' | 'identify') => {
  const r = validateMessage(raw, { receivedAt: NOW, type });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.event;
};
const errors = (raw: unknown) => {
  const r = validateMessage(raw, { receivedAt: NOW });
  return r.ok ? [] : r.errors.map((e) => e.message);
};

describe('validateMessage', () => {
  it('normalizes an Order Completed into columns and keeps the properties as sent', () => {
    const e = ok({
      type: 'track',
      userId: 7,
      event: 'Order Completed',
      messageId: 'm1',
      timestamp: '2025-05-01T10:00:00Z',
      properties: {
        order_id: 99,
        revenue: '30.50',
        currency: 'usd',
        coupon: 'X',
        products: [{ product_id: 1, price: '10.5', quantity: 2 }, { product_id: 'b' }],
        gift: true,
      },
    });
    expect(e).toMatchObject({
      messageId: 'm1',
      userId: '7',
      event: 'Order Completed',
      timestamp: Date.UTC(2025, 4, 1, 10),
      receivedAt: NOW,
      orderId: '99',
      revenue: 30.5,
      currency: 'USD',
      coupon: 'X',
      itemId: null,
      products: [
        { productId: '1', price: 10.5, quantity: 2 },
        { productId: 'b', price: null, quantity: null },
      ],
    });
    expect(e.properties).toMatchObject({ gift: true, revenue: 30.5, order_id: '99' });
  });

  it('keeps unknown event names and their properties untouched', () => {
    const e = ok({
      type: 'track',
      anonymousId: 'a',
      event: 'Wheel Spun',
      properties: { prize: 'mug', product_id: 5 },
    });
    expect(e).toMatchObject({
      event: 'Wheel Spun',
      itemId: '5',
      products: null,
      properties: { prize: 'mug', product_id: 5 },
    });
  });

  it('applies Segment clock-skew correction and defaults to the arrival time', () => {
    expect(ok({ type: 'track', userId: 'u', event: 'X' }).timestamp).toBe(NOW);
    const skewed = ok({
      type: 'track',
      userId: 'u',
      event: 'X',
      originalTimestamp: '2030-01-01T00:00:00Z',
      sentAt: '2030-01-01T00:00:10Z',
    });
    expect(skewed.timestamp).toBe(NOW - 10_000);
    expect(errors({ type: 'track', userId: 'u', event: 'X', timestamp: '2025-06-03T12:00:01Z' })).toEqual([
      'timestamp: is more than 24 hours in the future',
    ]);
  });

  it('names the field of every problem', () => {
    expect(
      errors({
        type: 'track',
        userId: 'u',
        event: 'Product Added',
        properties: { product_id: 'p', quantity: 0 },
      }),
    ).toEqual(['properties.quantity: must be positive']);
    expect(errors({ type: 'track', userId: 'u', event: 'Products Searched', properties: {} })).toEqual([
      'properties.query: is required',
    ]);
    expect(errors({ type: 'track', userId: 'u', event: '' })).toEqual(['event: must not be empty']);
    expect(errors({ type: 'alias', userId: 'u' })).toEqual(['previousId: is required']);
    expect(errors({ type: 'group', userId: 'u' })).toEqual(['groupId: is required']);
    expect(errors({ type: 'track', userId: 'u', event: 'X', properties: [] })).toEqual([
      'properties: expected an object',
    ]);
    expect(errors('hello')).toEqual(['(body): expected a JSON object']);
    expect(errors({ type: 'track', userId: 'u', event: 'X', messageId: 'x'.repeat(257) })).toEqual([
      'messageId: must be at most 256 characters',
    ]);
  });

  it('never throws and either normalizes or explains, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('track', 'identify', 'page', 'screen', 'alias', 'group', 'other'),
        (raw, type) => {
          const input = raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...raw, type } : raw;
          const r = validateMessage(input, { receivedAt: NOW });
          if (r.ok) expect(typeof r.event.messageId).toBe('string');
          else expect(r.errors.every((e) => e.message.startsWith(`${e.field}: `))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('sorts a batch into accepted and rejected without losing positions', () => {
    const sorted = acceptMessages(
      [
        { type: 'track', userId: 'u', event: 'A' },
        { type: 'track', event: 'B' },
        { type: 'identify', userId: 'u' },
      ],
      { receivedAt: NOW },
    );
    expect(sorted.accepted).toEqual([0, 2]);
    expect(sorted.rejected).toMatchObject([{ index: 1, field: 'userId' }]);
    expect(sorted.valid.map((e) => e.type)).toEqual(['track', 'identify']);
  });
});
