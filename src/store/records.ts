/**
 * The records the store keeps. Everything that enters Cartwise (HTTP, files, the generator) is
 * validated and normalized into these shapes first, so every store backend sees the same data.
 */

/** Segment message types Cartwise accepts. */
export type MessageType = 'track' | 'identify' | 'page' | 'screen' | 'alias' | 'group';

/** One line of an order, cart or product list, reduced to the fields models use. */
export interface ProductLine {
  productId: string;
  price: number | null;
  quantity: number | null;
}

/** A validated, normalized event as stored: one row per accepted message. */
export interface StoredEvent {
  messageId: string;
  type: MessageType;
  /** Track event name, page or screen name; null for identify/alias/group. */
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** When it happened (ms since epoch, UTC). */
  timestamp: number;
  /** When Cartwise accepted it (ms since epoch, UTC). */
  receivedAt: number;
  /** The product of single-product events (viewed, added, reviewed, ...). */
  itemId: string | null;
  orderId: string | null;
  /** Unit price of the product of a single-product event. */
  price: number | null;
  quantity: number | null;
  /** Order revenue (orders), refunded amount (refunds), cart or checkout value. */
  revenue: number | null;
  rating: number | null;
  currency: string | null;
  coupon: string | null;
  /** Lines of orders, carts, checkouts and product lists. */
  products: ProductLine[] | null;
  /** Properties exactly as sent (after type coercion), including the fields copied into columns above. */
  properties: Record<string, unknown> | null;
  /** Traits of identify and group calls. */
  traits: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  /** alias: the previous id; group: the group id. */
  targetId: string | null;
}

/** A catalog item. */
export interface Item {
  id: string;
  title: string | null;
  description: string | null;
  /** Category path, levels joined by " > " (e.g. "Shoes > Running"). */
  category: string | null;
  brand: string | null;
  price: number | null;
  cost: number | null;
  currency: string | null;
  /** Units in stock; null when the store does not track stock. */
  stock: number | null;
  available: boolean;
  attributes: Record<string, unknown>;
  tags: string[];
  imageUrl: string | null;
  url: string | null;
  /** ms since epoch. */
  createdAt: number;
  updatedAt: number;
}

/** Traits of a known user, merged from identify calls and user imports. */
export interface UserRecord {
  userId: string;
  traits: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/**
 * A track event the engine writes itself (impressions, exposures, bandit logs): the given fields,
 * everything else empty, timestamped and received at `at`.
 */
export function engineEvent(
  at: number,
  fields: Pick<StoredEvent, 'messageId' | 'event' | 'userId' | 'anonymousId' | 'properties'>,
): StoredEvent {
  return {
    type: 'track',
    timestamp: at,
    receivedAt: at,
    itemId: null,
    orderId: null,
    price: null,
    quantity: null,
    revenue: null,
    rating: null,
    currency: null,
    coupon: null,
    products: null,
    traits: null,
    context: null,
    targetId: null,
    ...fields,
  };
}
