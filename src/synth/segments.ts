/**
 * The hidden customer types of a synthetic store. A shopper's segment drives everything about how
 * they shop, and none of it is written to the data: models have to find it, and truth.json says
 * what they should have found.
 */

/** Parameters of one customer type. Rates are per week; probabilities per session or per step. */
export interface SegmentSpec {
  name: string;
  /** Share of shoppers drawn into this segment. */
  share: number;
  /** Price sensitivity ~ Normal(mean, sd), floored at 0: the weight of −log(base price) in item choice. */
  priceSensitivity: { mean: number; sd: number };
  /** Mean sessions per week; each shopper's rate is this times LogNormal(−σ²/2, σ) with σ = visitRateSigma. */
  visitsPerWeek: number;
  /** Probability of churning in any given week of life (lifetime ~ Exponential(−ln(1 − h) per week)). */
  weeklyChurnHazard: number;
  /** Probability of ever creating an account (the others check out as guests). */
  registerProbability: number;
  /** Product views per session: 1 + Poisson(extraViews). */
  extraViews: number;
  /** Probability of adding a viewed product at its base price (scaled by the price-elasticity factor). */
  addToCart: number;
  /** Probability of starting checkout with a non-empty cart, and of completing a started checkout. */
  checkout: number;
  complete: number;
  /** Probability of clicking a sale banner after seeing it. */
  promotionClick: number;
  /** Multiplier of the visit rate on days when a sale runs. */
  promotionVisitMultiplier: number;
  /**
   * Response to a coupon e-mail, drawn per shopper and campaign: a persuadable orders in the window
   * because of the coupon, a sleeping dog does not order in the window because of it.
   */
  coupon: { persuadable: number; sleepingDog: number };
  /** Observable traits that hint at the segment: sign-up channel and main device shares. */
  signupChannels: Readonly<Record<string, number>>;
  devices: Readonly<Record<string, number>>;
  /** Probability that the account opts in to the newsletter (an observable hint of loyalty). */
  newsletter: number;
}

/** σ of the log-normal spread of individual visit rates around the segment mean. */
export const VISIT_RATE_SIGMA = 0.5;

/** The four customer types every store is generated with. */
export const SEGMENTS: readonly SegmentSpec[] = [
  {
    name: 'bargain_hunter',
    share: 0.3,
    priceSensitivity: { mean: 3.0, sd: 0.5 },
    visitsPerWeek: 1.0,
    weeklyChurnHazard: 0.045,
    registerProbability: 0.8,
    extraViews: 3.5,
    addToCart: 0.05,
    checkout: 0.6,
    complete: 0.75,
    promotionClick: 0.45,
    promotionVisitMultiplier: 1.6,
    coupon: { persuadable: 0.3, sleepingDog: 0 },
    signupChannels: { paid_search: 0.35, affiliate: 0.25, organic: 0.2, social: 0.15, email: 0.05 },
    devices: { mobile: 0.65, desktop: 0.3, tablet: 0.05 },
    newsletter: 0.45,
  },
  {
    name: 'loyal',
    share: 0.15,
    priceSensitivity: { mean: 1.0, sd: 0.3 },
    visitsPerWeek: 1.6,
    weeklyChurnHazard: 0.012,
    registerProbability: 0.97,
    extraViews: 3.2,
    addToCart: 0.075,
    checkout: 0.75,
    complete: 0.85,
    promotionClick: 0.2,
    promotionVisitMultiplier: 1.1,
    coupon: { persuadable: 0.04, sleepingDog: 0 },
    signupChannels: { organic: 0.45, email: 0.25, referral: 0.2, paid_search: 0.1 },
    devices: { mobile: 0.45, desktop: 0.45, tablet: 0.1 },
    newsletter: 0.7,
  },
  {
    name: 'casual',
    share: 0.4,
    priceSensitivity: { mean: 1.6, sd: 0.4 },
    visitsPerWeek: 0.45,
    weeklyChurnHazard: 0.07,
    registerProbability: 0.6,
    extraViews: 2.8,
    addToCart: 0.04,
    checkout: 0.5,
    complete: 0.7,
    promotionClick: 0.25,
    promotionVisitMultiplier: 1.2,
    coupon: { persuadable: 0.12, sleepingDog: 0 },
    signupChannels: { social: 0.35, organic: 0.3, paid_search: 0.2, referral: 0.15 },
    devices: { mobile: 0.7, desktop: 0.2, tablet: 0.1 },
    newsletter: 0.25,
  },
  {
    name: 'premium',
    share: 0.15,
    priceSensitivity: { mean: 0.1, sd: 0.1 },
    visitsPerWeek: 0.9,
    weeklyChurnHazard: 0.025,
    registerProbability: 0.9,
    extraViews: 2.8,
    addToCart: 0.07,
    checkout: 0.7,
    complete: 0.85,
    promotionClick: 0.1,
    promotionVisitMultiplier: 1.0,
    coupon: { persuadable: 0, sleepingDog: 0.15 },
    signupChannels: { organic: 0.4, referral: 0.3, email: 0.2, social: 0.1 },
    devices: { desktop: 0.55, mobile: 0.35, tablet: 0.1 },
    newsletter: 0.3,
  },
];
