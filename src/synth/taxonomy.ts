/**
 * The fixed vocabulary synthetic stores are built from: the category tree with its price levels and
 * elasticities, the words of item titles and search queries, and the names and places of shoppers.
 * Only the numbers drawn from these lists depend on the seed; the lists themselves are constant so
 * every store reads like the same kind of shop.
 */

/** A leaf category: its path below the top category, its median price and the nouns its items are named by. */
export interface LeafSpec {
  readonly path: readonly string[];
  readonly medianPrice: number;
  readonly nouns: readonly string[];
}

/** A top-level category with the parameters shared by its leaves. */
export interface TopSpec {
  readonly name: string;
  /** Centre of the leaves' true price elasticities (each leaf adds a little seeded noise). */
  readonly elasticity: number;
  /** Spread of log prices around a leaf's median. */
  readonly priceSigma: number;
  /** Range of cost / price. */
  readonly costRatio: readonly [number, number];
  /** Largest quantity of one product in an order line (groceries come by the dozen, laptops do not). */
  readonly maxQuantity: number;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly leaves: readonly LeafSpec[];
}

const COLORS = ['black', 'white', 'grey', 'navy', 'red', 'green', 'beige', 'blue', 'pink'];
const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const SHOE_SIZES = ['37', '38', '39', '40', '41', '42', '43', '44', '45'];

/** The category tree: 10 top categories, 37 leaves, two or three levels deep. */
export const TAXONOMY: readonly TopSpec[] = [
  {
    name: 'Home',
    elasticity: -1.4,
    priceSigma: 0.45,
    costRatio: [0.4, 0.6],
    maxQuantity: 2,
    attributes: { color: COLORS, material: ['steel', 'cast iron', 'ceramic', 'cotton', 'linen', 'wood'] },
    leaves: [
      {
        path: ['Kitchen', 'Cookware'],
        medianPrice: 45,
        nouns: ['Dutch Oven', 'Frying Pan', 'Saucepan', 'Wok'],
      },
      { path: ['Kitchen', 'Cutlery'], medianPrice: 30, nouns: ['Chef Knife', 'Knife Set', 'Cutting Board'] },
      {
        path: ['Kitchen', 'Small Appliances'],
        medianPrice: 80,
        nouns: ['Blender', 'Toaster', 'Kettle', 'Coffee Maker'],
      },
      { path: ['Bedding'], medianPrice: 60, nouns: ['Duvet Cover', 'Pillow', 'Sheet Set', 'Blanket'] },
      { path: ['Decor'], medianPrice: 35, nouns: ['Vase', 'Candle', 'Picture Frame', 'Cushion'] },
    ],
  },
  {
    name: 'Electronics',
    elasticity: -2.2,
    priceSigma: 0.5,
    costRatio: [0.6, 0.8],
    maxQuantity: 1,
    attributes: { color: ['black', 'white', 'silver', 'blue'], warranty: ['1 year', '2 years'] },
    leaves: [
      { path: ['Audio', 'Headphones'], medianPrice: 90, nouns: ['Headphones', 'Earbuds', 'Headset'] },
      { path: ['Audio', 'Speakers'], medianPrice: 120, nouns: ['Speaker', 'Soundbar', 'Radio'] },
      {
        path: ['Phones', 'Cases'],
        medianPrice: 18,
        nouns: ['Phone Case', 'Screen Protector', 'Wallet Case'],
      },
      { path: ['Phones', 'Chargers'], medianPrice: 22, nouns: ['Charger', 'Power Bank', 'USB-C Cable'] },
      { path: ['Computers', 'Laptops'], medianPrice: 900, nouns: ['Laptop', 'Notebook', 'Ultrabook'] },
      { path: ['Computers', 'Accessories'], medianPrice: 35, nouns: ['Mouse', 'Keyboard', 'Laptop Stand'] },
    ],
  },
  {
    name: 'Fashion',
    elasticity: -1.8,
    priceSigma: 0.4,
    costRatio: [0.3, 0.5],
    maxQuantity: 2,
    attributes: { color: COLORS, size: APPAREL_SIZES, material: ['cotton', 'wool', 'linen', 'polyester'] },
    leaves: [
      { path: ['Women', 'Dresses'], medianPrice: 60, nouns: ['Dress', 'Maxi Dress', 'Wrap Dress'] },
      { path: ['Women', 'Tops'], medianPrice: 30, nouns: ['Blouse', 'T-Shirt', 'Tank Top', 'Sweater'] },
      { path: ['Men', 'Shirts'], medianPrice: 40, nouns: ['Shirt', 'Polo', 'Oxford Shirt'] },
      { path: ['Men', 'Jackets'], medianPrice: 110, nouns: ['Jacket', 'Parka', 'Blazer'] },
      { path: ['Accessories', 'Bags'], medianPrice: 70, nouns: ['Tote Bag', 'Backpack', 'Crossbody Bag'] },
    ],
  },
  {
    name: 'Shoes',
    elasticity: -1.6,
    priceSigma: 0.35,
    costRatio: [0.35, 0.55],
    maxQuantity: 1,
    attributes: { color: COLORS, size: SHOE_SIZES, material: ['leather', 'mesh', 'suede', 'canvas'] },
    leaves: [
      { path: ['Running'], medianPrice: 110, nouns: ['Running Shoe', 'Trail Runner', 'Racing Flat'] },
      { path: ['Casual'], medianPrice: 70, nouns: ['Sneaker', 'Loafer', 'Slip-On'] },
      { path: ['Boots'], medianPrice: 130, nouns: ['Chelsea Boot', 'Hiking Boot', 'Ankle Boot'] },
    ],
  },
  {
    name: 'Beauty',
    elasticity: -1.0,
    priceSigma: 0.45,
    costRatio: [0.25, 0.45],
    maxQuantity: 3,
    attributes: {
      skinType: ['dry', 'oily', 'combination', 'sensitive'],
      volume: ['30 ml', '50 ml', '100 ml'],
    },
    leaves: [
      { path: ['Skincare'], medianPrice: 28, nouns: ['Moisturizer', 'Serum', 'Cleanser', 'Sunscreen'] },
      { path: ['Makeup'], medianPrice: 20, nouns: ['Lipstick', 'Mascara', 'Foundation', 'Eyeliner'] },
      { path: ['Fragrance'], medianPrice: 65, nouns: ['Eau de Parfum', 'Eau de Toilette', 'Body Mist'] },
    ],
  },
  {
    name: 'Sports',
    elasticity: -1.5,
    priceSigma: 0.45,
    costRatio: [0.4, 0.6],
    maxQuantity: 2,
    attributes: { color: COLORS, level: ['beginner', 'intermediate', 'pro'] },
    leaves: [
      { path: ['Fitness', 'Yoga'], medianPrice: 30, nouns: ['Yoga Mat', 'Yoga Block', 'Resistance Band'] },
      {
        path: ['Fitness', 'Weights'],
        medianPrice: 60,
        nouns: ['Dumbbell Set', 'Kettlebell', 'Weight Plate'],
      },
      { path: ['Outdoor', 'Camping'], medianPrice: 85, nouns: ['Tent', 'Sleeping Bag', 'Camping Stove'] },
      { path: ['Cycling'], medianPrice: 150, nouns: ['Bike Helmet', 'Bike Light', 'Cycling Jersey'] },
    ],
  },
  {
    name: 'Toys',
    elasticity: -1.3,
    priceSigma: 0.45,
    costRatio: [0.35, 0.55],
    maxQuantity: 2,
    attributes: { age: ['3+', '6+', '8+', '12+'] },
    leaves: [
      { path: ['Building Sets'], medianPrice: 45, nouns: ['Building Set', 'Construction Kit', 'Brick Box'] },
      { path: ['Board Games'], medianPrice: 30, nouns: ['Board Game', 'Card Game', 'Puzzle'] },
      { path: ['Plush'], medianPrice: 18, nouns: ['Teddy Bear', 'Plush Bunny', 'Plush Dragon'] },
    ],
  },
  {
    name: 'Grocery',
    elasticity: -0.8,
    priceSigma: 0.35,
    costRatio: [0.55, 0.75],
    maxQuantity: 4,
    attributes: { diet: ['organic', 'vegan', 'gluten-free', 'regular'] },
    leaves: [
      { path: ['Coffee & Tea'], medianPrice: 14, nouns: ['Coffee Beans', 'Ground Coffee', 'Green Tea'] },
      { path: ['Snacks'], medianPrice: 6, nouns: ['Granola Bar', 'Trail Mix', 'Dark Chocolate'] },
      { path: ['Pantry'], medianPrice: 9, nouns: ['Olive Oil', 'Pasta', 'Honey', 'Rice'] },
    ],
  },
  {
    name: 'Books',
    elasticity: -1.2,
    priceSigma: 0.3,
    costRatio: [0.5, 0.7],
    maxQuantity: 2,
    attributes: { format: ['paperback', 'hardcover'], language: ['English', 'Spanish', 'German'] },
    leaves: [
      { path: ['Fiction'], medianPrice: 15, nouns: ['Novel', 'Thriller', 'Short Stories'] },
      { path: ['Non-fiction'], medianPrice: 20, nouns: ['Biography', 'Cookbook', 'History'] },
      { path: ['Children'], medianPrice: 10, nouns: ['Picture Book', 'Activity Book', 'Bedtime Stories'] },
    ],
  },
  {
    name: 'Pets',
    elasticity: -0.7,
    priceSigma: 0.4,
    costRatio: [0.5, 0.7],
    maxQuantity: 3,
    attributes: { petSize: ['small', 'medium', 'large'] },
    leaves: [
      { path: ['Dogs'], medianPrice: 25, nouns: ['Dog Food', 'Dog Leash', 'Chew Toy', 'Dog Bed'] },
      { path: ['Cats'], medianPrice: 20, nouns: ['Cat Food', 'Scratching Post', 'Cat Litter'] },
    ],
  },
];

/** Words put in front of a noun to make an item title. */
export const ADJECTIVES = [
  'Classic',
  'Essential',
  'Premium',
  'Everyday',
  'Compact',
  'Deluxe',
  'Ultra',
  'Organic',
  'Modern',
  'Vintage',
  'Pro',
  'Lite',
  'Signature',
  'Urban',
  'Nordic',
  'Soft',
];

/** Syllables brand names are made of. */
export const BRAND_HEADS = [
  'Nor',
  'Vel',
  'Kai',
  'Ast',
  'Bri',
  'Lum',
  'Oak',
  'Mar',
  'Zen',
  'Tor',
  'Sol',
  'Fen',
];
/** Endings of brand names. */
export const BRAND_TAILS = ['haus', 'ora', 'wick', 'ly', 'co', 'field', 'ton', 'ix', 'bright', 'wood'];

/** Given names of shoppers. */
export const FIRST_NAMES = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Leo',
  'Sofia',
  'Elias',
  'Amara',
  'Yusuf',
  'Hana',
  'Mateo',
  'Chloe',
  'Arjun',
  'Ingrid',
  'Tomás',
  'Zoe',
  'Kenji',
];

/** Family names of shoppers. */
export const LAST_NAMES = [
  'Smith',
  'Müller',
  'Garcia',
  'Johnson',
  'Rossi',
  'Martin',
  'Nguyen',
  'Kowalski',
  'Brown',
  'Dubois',
  'Silva',
  'Jansen',
  'Okafor',
  'Larsen',
  'Patel',
  'Tanaka',
];

/** Countries of shoppers with their share and a few cities. */
export const COUNTRIES: readonly { code: string; share: number; cities: readonly string[] }[] = [
  { code: 'US', share: 0.45, cities: ['New York', 'Chicago', 'Austin', 'Seattle'] },
  { code: 'GB', share: 0.12, cities: ['London', 'Manchester', 'Leeds'] },
  { code: 'DE', share: 0.12, cities: ['Berlin', 'Munich', 'Hamburg'] },
  { code: 'FR', share: 0.08, cities: ['Paris', 'Lyon', 'Toulouse'] },
  { code: 'CA', share: 0.08, cities: ['Toronto', 'Vancouver', 'Montreal'] },
  { code: 'NL', share: 0.05, cities: ['Amsterdam', 'Utrecht'] },
  { code: 'ES', share: 0.05, cities: ['Madrid', 'Barcelona', 'Valencia'] },
  { code: 'AU', share: 0.05, cities: ['Sydney', 'Melbourne'] },
];
