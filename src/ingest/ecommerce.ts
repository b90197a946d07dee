import { z } from 'zod';
import { Currency, Id, NonNegative, Num, Positive } from './fields.js';

/**
 * Typed properties of the Segment / RudderStack e-commerce events (spec v2). Known fields are
 * checked and coerced; extra fields are kept as sent. Events whose names are not listed here are
 * stored with their properties untouched.
 */

/** A product as it appears in product events and in `products[]`. */
export const Product = z
  .object({
    product_id: Id.describe('The product id; numbers are stored as strings'),
    sku: z.string().optional(),
    category: z.string().optional(),
    name: z.string().optional(),
    brand: z.string().optional(),
    variant: z.string().optional(),
    price: NonNegative.optional().describe('Unit price'),
    quantity: Positive.optional(),
    coupon: z.string().optional(),
    position: Num.optional(),
    url: z.string().optional(),
    image_url: z.string().optional(),
    currency: Currency.optional(),
  })
  .passthrough();

const Products = z.array(Product).max(10_000, 'at most 10,000 products');

const OrderFields = {
  order_id: Id,
  checkout_id: z.string().optional(),
  affiliation: z.string().optional(),
  total: NonNegative.optional(),
  subtotal: NonNegative.optional(),
  revenue: NonNegative.optional().describe('Revenue of the order, excluding shipping and tax'),
  shipping: NonNegative.optional(),
  tax: NonNegative.optional(),
  discount: NonNegative.optional(),
  coupon: z.string().optional(),
  currency: Currency.optional(),
  products: Products.optional(),
};

const ProductEvent = Product;
const Review = Product.extend({
  rating: Num.pipe(z.number().min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10')),
  review_id: z.string().optional(),
  review_body: z.string().optional(),
});
const Order = z.object(OrderFields).passthrough();
const OrderOptionalId = z.object({ ...OrderFields, order_id: Id.optional() }).passthrough();
const ProductList = z
  .object({
    list_id: z.string().optional(),
    cart_id: z.string().optional(),
    category: z.string().optional(),
    value: NonNegative.optional(),
    currency: Currency.optional(),
    products: Products.optional(),
  })
  .passthrough();
const Search = z.object({ query: z.string().max(1000) }).passthrough();
const Promotion = z
  .object({
    promotion_id: Id.optional(),
    creative: z.string().optional(),
    name: z.string().optional(),
    position: z.union([z.string(), Num]).optional(),
  })
  .passthrough();
const Coupon = z
  .object({
    order_id: Id.optional(),
    cart_id: z.string().optional(),
    coupon_id: Id.optional(),
    coupon_name: z.string().optional(),
    discount: NonNegative.optional(),
    reason: z.string().optional(),
  })
  .passthrough();
const CheckoutStep = z
  .object({
    checkout_id: z.string().optional(),
    order_id: Id.optional(),
    step: Num.optional(),
    shipping_method: z.string().optional(),
    payment_method: z.string().optional(),
  })
  .passthrough();

/** Property schemas by event name. */
export const ECOMMERCE_EVENTS = {
  'Products Searched': Search,
  'Product List Viewed': ProductList,
  'Product List Filtered': ProductList,
  'Promotion Viewed': Promotion,
  'Promotion Clicked': Promotion,
  'Product Clicked': ProductEvent,
  'Product Viewed': ProductEvent,
  'Product Added': ProductEvent,
  'Product Removed': ProductEvent,
  'Product Added to Wishlist': ProductEvent,
  'Product Removed from Wishlist': ProductEvent,
  'Product Shared': ProductEvent,
  'Product Reviewed': Review,
  'Cart Viewed': ProductList,
  'Checkout Started': OrderOptionalId,
  'Checkout Step Viewed': CheckoutStep,
  'Checkout Step Completed': CheckoutStep,
  'Payment Info Entered': CheckoutStep,
  'Order Updated': Order,
  'Order Completed': Order,
  'Order Refunded': Order,
  'Order Cancelled': Order,
  'Coupon Entered': Coupon,
  'Coupon Applied': Coupon,
  'Coupon Denied': Coupon,
  'Coupon Removed': Coupon,
} as const satisfies Record<string, z.ZodType>;

/** Names of the e-commerce events Cartwise types and uses. */
export type EcommerceEventName = keyof typeof ECOMMERCE_EVENTS;

/** True when `name` is one of the typed e-commerce events. */
export function isEcommerceEvent(name: string): name is EcommerceEventName {
  return Object.hasOwn(ECOMMERCE_EVENTS, name);
}
