// The realistic store: products in categories, customers with a spread of countries and time zones,
// and their history — orders with heavy-tailed spend, repeat buying that fades as customers go quiet,
// seasonality and weekly cycles, product affinities, discount codes, refunds, guest orders, B2B buyers,
// abandoned checkouts and browsing. Pure and deterministic: rows come out as arrays of column values in
// the column order of TABLES, generated customer by customer from (seed, customer number).
import {
  type Faker,
  fakerDE,
  fakerEN,
  fakerEN_AU,
  fakerEN_CA,
  fakerEN_GB,
  fakerEN_IE,
  fakerEN_US,
  fakerES,
  fakerFR,
  fakerIT,
  fakerNL,
  fakerPL,
  fakerPT_BR,
  fakerSV,
} from '@faker-js/faker';
import { cumulative, mix, Rng, zipfWeights } from './rng.ts';

export const SF1 = {
  customers: 1_000_000,
  orders: 10_000_000,
  products: 5_000,
  /** browsing events plus orders and refunds ≈ 50M timeline items */
  browsingEvents: 40_000_000,
};

/** Column lists of the tables the generator writes (the app's own tables). */
export const TABLES = {
  products: [
    'workspace_id',
    'id',
    'source',
    'external_id',
    'title',
    'handle',
    'vendor',
    'product_type',
    'categories',
    'status',
    'currency',
    'image_url',
    'source_updated_at',
    'created_at',
    'updated_at',
  ],
  product_variants: [
    'workspace_id',
    'id',
    'product_id',
    'source',
    'external_id',
    'sku',
    'title',
    'price_minor',
    'inventory_quantity',
  ],
  customers: [
    'workspace_id',
    'id',
    'email',
    'phone',
    'first_name',
    'last_name',
    'company',
    'locale',
    'time_zone',
    'country',
    'city',
    'addresses',
    'email_consent',
    'sms_consent',
    'tags',
    'source_created_at',
    'source_updated_at',
    'currency',
    'created_at',
    'updated_at',
  ],
  customer_identities: ['workspace_id', 'kind', 'value', 'customer_id', 'created_at'],
  orders: [
    'workspace_id',
    'id',
    'source',
    'external_id',
    'number',
    'customer_id',
    'status',
    'financial_status',
    'fulfillment_status',
    'currency',
    'subtotal_minor',
    'discount_minor',
    'tax_minor',
    'shipping_minor',
    'total_minor',
    'refunded_minor',
    'discount_codes',
    'source_name',
    'placed_at',
    'cancelled_at',
    'source_updated_at',
    'created_at',
    'updated_at',
  ],
  order_lines: [
    'workspace_id',
    'order_id',
    'line_no',
    'external_id',
    'product_external_id',
    'variant_external_id',
    'sku',
    'title',
    'quantity',
    'unit_price_minor',
    'discount_minor',
  ],
  refunds: [
    'workspace_id',
    'id',
    'source',
    'external_id',
    'order_id',
    'customer_id',
    'amount_minor',
    'currency',
    'reason',
    'lines',
    'refunded_at',
    'created_at',
  ],
  checkouts: [
    'workspace_id',
    'id',
    'source',
    'external_id',
    'customer_id',
    'email',
    'currency',
    'total_minor',
    'lines',
    'recovery_url',
    'completed_at',
    'source_created_at',
    'source_updated_at',
    'created_at',
    'updated_at',
  ],
  browsing_events: [
    'workspace_id',
    'id',
    'visitor_id',
    'customer_id',
    'type',
    'url',
    'product_external_id',
    'properties',
    'occurred_at',
  ],
} as const;
export type TableName = keyof typeof TABLES;
/** A row: one value per column; null, string, number, string[] (text[]) or an object (jsonb). */
export type Value = string | number | null | string[] | object;
export type Rows = Record<TableName, Value[][]>;
export const emptyRows = (): Rows =>
  Object.fromEntries(Object.keys(TABLES).map((t) => [t, []])) as unknown as Rows;

export type StoreOptions = {
  seed: number;
  customers: number;
  workspaceId: string;
  /** the end of the history (the store's "now") */
  asOf: Date;
  /** years of history before asOf */
  years: number;
  currency?: string;
};

const DAY = 86_400_000;
const SOURCE = 'shopify';

type Country = {
  code: string;
  weight: number;
  faker: Faker;
  zones: [string, number][];
  tax: number;
  dial: string;
  locale: string;
};
const COUNTRIES: Country[] = [
  {
    code: 'US',
    weight: 40,
    faker: fakerEN_US,
    zones: [
      ['America/New_York', -5],
      ['America/Chicago', -6],
      ['America/Denver', -7],
      ['America/Los_Angeles', -8],
    ],
    tax: 0.07,
    dial: '+1',
    locale: 'en-US',
  },
  {
    code: 'GB',
    weight: 12,
    faker: fakerEN_GB,
    zones: [['Europe/London', 0]],
    tax: 0.2,
    dial: '+44',
    locale: 'en-GB',
  },
  {
    code: 'DE',
    weight: 10,
    faker: fakerDE,
    zones: [['Europe/Berlin', 1]],
    tax: 0.19,
    dial: '+49',
    locale: 'de-DE',
  },
  {
    code: 'FR',
    weight: 7,
    faker: fakerFR,
    zones: [['Europe/Paris', 1]],
    tax: 0.2,
    dial: '+33',
    locale: 'fr-FR',
  },
  {
    code: 'CA',
    weight: 6,
    faker: fakerEN_CA,
    zones: [
      ['America/Toronto', -5],
      ['America/Vancouver', -8],
    ],
    tax: 0.13,
    dial: '+1',
    locale: 'en-CA',
  },
  {
    code: 'AU',
    weight: 5,
    faker: fakerEN_AU,
    zones: [
      ['Australia/Sydney', 10],
      ['Australia/Perth', 8],
    ],
    tax: 0.1,
    dial: '+61',
    locale: 'en-AU',
  },
  {
    code: 'NL',
    weight: 4,
    faker: fakerNL,
    zones: [['Europe/Amsterdam', 1]],
    tax: 0.21,
    dial: '+31',
    locale: 'nl-NL',
  },
  {
    code: 'ES',
    weight: 4,
    faker: fakerES,
    zones: [['Europe/Madrid', 1]],
    tax: 0.21,
    dial: '+34',
    locale: 'es-ES',
  },
  {
    code: 'IT',
    weight: 4,
    faker: fakerIT,
    zones: [['Europe/Rome', 1]],
    tax: 0.22,
    dial: '+39',
    locale: 'it-IT',
  },
  {
    code: 'SE',
    weight: 2,
    faker: fakerSV,
    zones: [['Europe/Stockholm', 1]],
    tax: 0.25,
    dial: '+46',
    locale: 'sv-SE',
  },
  {
    code: 'IE',
    weight: 2,
    faker: fakerEN_IE,
    zones: [['Europe/Dublin', 0]],
    tax: 0.23,
    dial: '+353',
    locale: 'en-IE',
  },
  {
    code: 'PL',
    weight: 2,
    faker: fakerPL,
    zones: [['Europe/Warsaw', 1]],
    tax: 0.23,
    dial: '+48',
    locale: 'pl-PL',
  },
  {
    code: 'BR',
    weight: 2,
    faker: fakerPT_BR,
    zones: [['America/Sao_Paulo', -3]],
    tax: 0.17,
    dial: '+55',
    locale: 'pt-BR',
  },
];
const COUNTRY_CUM = cumulative(COUNTRIES.map((c) => c.weight));

const CATEGORIES: { name: string; type: string; price: number; nouns: string[] }[] = [
  {
    name: 'Women',
    type: 'Apparel',
    price: 4500,
    nouns: ['Dress', 'Blouse', 'Skirt', 'Cardigan', 'Jeans', 'Trench Coat', 'Jumpsuit', 'Knit Sweater'],
  },
  {
    name: 'Men',
    type: 'Apparel',
    price: 4200,
    nouns: [
      'Oxford Shirt',
      'Chinos',
      'Hoodie',
      'Wool Coat',
      'Polo Shirt',
      'Denim Jacket',
      'Crewneck Sweater',
      'Joggers',
    ],
  },
  {
    name: 'Kids',
    type: 'Apparel',
    price: 2500,
    nouns: ['Romper', 'Rain Jacket', 'Pyjama Set', 'Leggings', 'T-Shirt', 'Dungarees'],
  },
  {
    name: 'Shoes',
    type: 'Footwear',
    price: 8500,
    nouns: ['Sneakers', 'Chelsea Boots', 'Loafers', 'Sandals', 'Running Shoes', 'Hiking Boots'],
  },
  {
    name: 'Bags',
    type: 'Accessories',
    price: 6500,
    nouns: ['Tote Bag', 'Backpack', 'Crossbody Bag', 'Weekender', 'Laptop Sleeve', 'Belt Bag'],
  },
  {
    name: 'Jewellery',
    type: 'Accessories',
    price: 5500,
    nouns: ['Hoop Earrings', 'Pendant Necklace', 'Signet Ring', 'Bracelet', 'Anklet', 'Stud Earrings'],
  },
  {
    name: 'Beauty',
    type: 'Beauty',
    price: 2200,
    nouns: ['Lipstick', 'Mascara', 'Eyeshadow Palette', 'Nail Polish', 'Blush', 'Brow Pencil'],
  },
  {
    name: 'Skincare',
    type: 'Beauty',
    price: 3200,
    nouns: ['Face Serum', 'Night Cream', 'Cleanser', 'Sunscreen SPF 50', 'Toner', 'Eye Cream'],
  },
  {
    name: 'Home',
    type: 'Home',
    price: 3800,
    nouns: ['Throw Blanket', 'Cushion Cover', 'Table Lamp', 'Scented Candle', 'Vase', 'Wall Mirror'],
  },
  {
    name: 'Kitchen',
    type: 'Home',
    price: 2900,
    nouns: ['Chef Knife', 'Cast Iron Pan', 'Mug Set', 'Cutting Board', 'Teapot', 'Mixing Bowls'],
  },
  {
    name: 'Garden',
    type: 'Home',
    price: 3500,
    nouns: ['Planter', 'Watering Can', 'Pruning Shears', 'Seed Kit', 'Garden Gloves', 'Bird Feeder'],
  },
  {
    name: 'Outdoor',
    type: 'Sports',
    price: 7000,
    nouns: ['Tent', 'Sleeping Bag', 'Daypack', 'Camping Stove', 'Trekking Poles', 'Rain Shell'],
  },
  {
    name: 'Fitness',
    type: 'Sports',
    price: 4800,
    nouns: ['Yoga Mat', 'Dumbbell Set', 'Resistance Bands', 'Water Bottle', 'Foam Roller', 'Jump Rope'],
  },
  {
    name: 'Books',
    type: 'Media',
    price: 1800,
    nouns: ['Cookbook', 'Travel Guide', 'Novel', 'Journal', 'Colouring Book', 'Photo Book'],
  },
  {
    name: 'Stationery',
    type: 'Office',
    price: 1200,
    nouns: ['Notebook', 'Fountain Pen', 'Planner', 'Sticky Notes', 'Desk Organiser', 'Pencil Set'],
  },
  {
    name: 'Electronics',
    type: 'Electronics',
    price: 12_000,
    nouns: [
      'Wireless Earbuds',
      'Bluetooth Speaker',
      'Phone Case',
      'Charging Dock',
      'Smart Watch',
      'Power Bank',
    ],
  },
  {
    name: 'Toys',
    type: 'Toys',
    price: 2600,
    nouns: ['Building Blocks', 'Puzzle', 'Plush Bear', 'Board Game', 'Wooden Train', 'Kite'],
  },
  {
    name: 'Pets',
    type: 'Pets',
    price: 2100,
    nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Chew Toy', 'Pet Bowl', 'Grooming Brush'],
  },
  {
    name: 'Coffee & Tea',
    type: 'Food',
    price: 1600,
    nouns: ['Espresso Beans', 'Green Tea', 'Pour-Over Kit', 'Chai Blend', 'Cold Brew Pack', 'Matcha'],
  },
  {
    name: 'Gifts',
    type: 'Gifts',
    price: 3000,
    nouns: ['Gift Box', 'Gift Card Holder', 'Candle Set', 'Hamper', 'Photo Frame', 'Keepsake Box'],
  },
];
const CATEGORY_CUM = cumulative(zipfWeights(CATEGORIES.length, 0.6));

// Seasonality: month factors (a November–December peak), weekday factors (weekends busier) and the
// hour of day in the customer's own time zone (lunch and evening peaks).
const MONTH = [0.8, 0.72, 0.85, 0.9, 0.95, 0.9, 0.85, 0.9, 0.95, 1.0, 1.55, 1.75];
const WEEKDAY = [1.15, 1.05, 0.95, 0.95, 1.0, 0.9, 1.1];
const HOUR_CUM = cumulative([
  0.3, 0.2, 0.12, 0.1, 0.1, 0.15, 0.35, 0.6, 0.8, 0.95, 1.05, 1.15, 1.35, 1.3, 1.1, 1.05, 1.05, 1.1, 1.25,
  1.5, 1.65, 1.6, 1.2, 0.7,
]);
const SEASON_MAX = 1.75 * 1.15 * 2;

/** Black Friday through Cyber Monday: the fourth Friday of November and the three days after. */
function isBlackFridayWeek(d: Date): boolean {
  if (d.getUTCMonth() !== 10) return false;
  const first = new Date(Date.UTC(d.getUTCFullYear(), 10, 1)).getUTCDay();
  const bf = 1 + ((5 - first + 7) % 7) + 21;
  const day = d.getUTCDate();
  return day >= bf && day <= bf + 3;
}

function seasonWeight(day: Date): number {
  return MONTH[day.getUTCMonth()]! * WEEKDAY[day.getUTCDay()]! * (isBlackFridayWeek(day) ? 2 : 1);
}

const REFUND_REASONS = [
  'damaged',
  'wrong size',
  'not as described',
  'changed mind',
  'late delivery',
  'defective',
];
const CHANNELS = cumulative([78, 14, 5, 3]);
const CHANNEL_NAMES = ['web', 'shopify_mobile', 'pos', 'draft_order'];

export type Product = {
  id: string;
  externalId: string;
  title: string;
  handle: string;
  category: number;
  variants: { externalId: string; sku: string; title: string; price: number }[];
  companion: number;
};

/** Deterministic ids: ordered within a table (index-friendly appends), distinct per workspace and seed. */
export function idFactory(workspaceId: string, seed: number) {
  const run = (mix(Number.parseInt(workspaceId.replace(/-/g, '').slice(0, 8), 16) >>> 0, seed) >>> 0)
    .toString(16)
    .padStart(8, '0');
  return (table: number, n: number): string => {
    const c = n.toString(16).padStart(18, '0');
    return `${run}-${table.toString(16).padStart(4, '0')}-8${c.slice(0, 3)}-8${c.slice(3, 6)}-${c.slice(6)}`;
  };
}
const T_PRODUCT = 1;
const T_VARIANT = 2;
const T_CUSTOMER = 3;
const T_ORDER = 4;
const T_REFUND = 5;
const T_CHECKOUT = 6;
const T_EVENT = 7;

/** Scale-dependent sizes: products never fewer than 200, so small stores still have a catalogue. */
export function sizesFor(customers: number) {
  const f = customers / SF1.customers;
  return {
    products: Math.max(200, Math.round(SF1.products * f)),
    ordersPerCustomer: SF1.orders / SF1.customers,
    eventsPerCustomer: SF1.browsingEvents / SF1.customers,
  };
}

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-');
const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();

export class StoreGenerator {
  readonly products: Product[];
  private readonly productsByCategory: number[][];
  private readonly categoryProductCum: Float64Array[];
  private readonly id: ReturnType<typeof idFactory>;
  private readonly start: number;
  private readonly end: number;
  private readonly currency: string;
  private orderNo = 0;
  private refundNo = 0;
  private checkoutNo = 0;
  private eventNo = 0;
  /** customers generated so far: generation runs customer by customer, in order */
  next = 0;

  constructor(readonly opts: StoreOptions) {
    this.id = idFactory(opts.workspaceId, opts.seed);
    this.end = opts.asOf.getTime();
    this.start = this.end - Math.round(opts.years * 365.25) * DAY;
    this.currency = opts.currency ?? 'USD';
    const n = sizesFor(opts.customers).products;
    this.products = [];
    this.productsByCategory = CATEGORIES.map(() => []);
    const rng = new Rng(opts.seed, 0x7fffffff);
    const titles = new Map<string, number>();
    for (let p = 0; p < n; p++) {
      const category = rng.weighted(CATEGORY_CUM);
      fakerEN.seed(mix(opts.seed, p + 1));
      let title = productTitle(category);
      // a second product of the same name is its successor: "… II", "… III"
      const seen = titles.get(title) ?? 0;
      titles.set(title, seen + 1);
      if (seen > 0) title = `${title} ${ROMAN[seen] ?? `No. ${seen + 1}`}`;
      const base = CATEGORIES[category]!.price * rng.logNormal(0, 0.45);
      const sizes = rng.weighted(cumulative([35, 25, 25, 15])) + 1;
      const options = VARIANTS[CATEGORIES[category]!.type] ?? VARIANTS.other!;
      const variantNames = sizes === 1 ? ['Default'] : options.slice(0, sizes);
      const externalId = String(7_000_000_000 + p);
      this.products.push({
        id: this.id(T_PRODUCT, p),
        externalId,
        title,
        handle: slug(title),
        category,
        variants: variantNames.map((v, k) => ({
          externalId: String(40_000_000_000 + p * 10 + k),
          sku: `${CATEGORIES[category]!.type.slice(0, 3).toUpperCase()}-${String(p).padStart(5, '0')}-${v.replace(/\s+/g, '').toUpperCase()}`,
          title: v,
          price: Math.max(199, Math.round((base * (1 + k * 0.05)) / 100) * 100 - 1),
        })),
        companion: 0,
      });
      this.productsByCategory[category]!.push(p);
    }
    // bought together: each product has a companion, usually from the same category
    for (const p of this.products) {
      const pool = rng.chance(0.7)
        ? this.productsByCategory[p.category]!
        : this.productsByCategory[rng.weighted(CATEGORY_CUM)]!;
      p.companion = pool.length > 0 ? rng.pick(pool) : 0;
    }
    this.categoryProductCum = this.productsByCategory.map((ps) =>
      cumulative(zipfWeights(Math.max(1, ps.length), 0.9)),
    );
  }

  /** The catalogue rows (products and variants). */
  catalogue(): Rows {
    const out = emptyRows();
    const ws = this.opts.workspaceId;
    const at = new Date(this.start - 30 * DAY).toISOString();
    for (const p of this.products) {
      const cat = CATEGORIES[p.category]!;
      out.products.push([
        ws,
        p.id,
        SOURCE,
        p.externalId,
        p.title,
        p.handle,
        fakerVendor(p.externalId),
        cat.type,
        [cat.name],
        'active',
        this.currency,
        null,
        at,
        at,
        at,
      ]);
      p.variants.forEach((v, k) => {
        out.product_variants.push([
          ws,
          this.id(T_VARIANT, Number(p.externalId) * 10 + k - 70_000_000_000),
          p.id,
          SOURCE,
          v.externalId,
          v.sku,
          v.title,
          v.price,
          20 + (Number(p.externalId) % 180),
        ]);
      });
    }
    return out;
  }

  private pickProduct(rng: Rng, favourite: number[]): number {
    const category = rng.chance(0.7) ? rng.pick(favourite) : rng.weighted(CATEGORY_CUM);
    const pool = this.productsByCategory[category]!;
    if (pool.length === 0) return rng.int(0, this.products.length - 1);
    return pool[rng.weighted(this.categoryProductCum[category]!)]!;
  }

  /** A moment in [from, to], drawn with the store's seasonality in the given UTC offset. */
  private moment(rng: Rng, from: number, to: number, offsetHours: number): number {
    const days = Math.max(1, Math.floor((to - from) / DAY));
    for (let tries = 0; tries < 50; tries++) {
      const day = Math.floor(from / DAY) + rng.int(0, days);
      if (rng.next() * SEASON_MAX > seasonWeight(new Date(day * DAY))) continue;
      const t = day * DAY + (rng.weighted(HOUR_CUM) - offsetHours) * 3_600_000 + rng.int(0, 3_599_999);
      if (t >= from && t <= to) return t;
    }
    return from + Math.floor(rng.next() * (to - from));
  }

  /** Generates customers [next, next + count) and everything they did; guests ride along. */
  generate(count: number): Rows {
    const out = emptyRows();
    const to = Math.min(this.opts.customers, this.next + count);
    for (let i = this.next; i < to; i++) this.customer(i, out);
    this.next = to;
    return out;
  }

  private customer(i: number, out: Rows): void {
    const { seed, workspaceId: ws } = this.opts;
    const rng = new Rng(seed, i + 1);
    const country = COUNTRIES[rng.weighted(COUNTRY_CUM)]!;
    const [timeZone, offset] = rng.pick(country.zones);
    const fk = country.faker;
    fk.seed(mix(seed ^ 0x5eed, i));
    const sex = rng.chance(0.5) ? 'female' : 'male';
    const firstName = fk.person.firstName(sex);
    const lastName = fk.person.lastName(sex);
    const b2b = rng.chance(0.03);
    const company = b2b ? fk.company.name() : null;
    const city = fk.location.city();
    const line1 = fk.location.streetAddress();
    const postalCode = fk.location.zipCode();
    const first = ascii(firstName) || 'customer';
    const last = ascii(lastName) || 'shopper';
    const domain = b2b
      ? `${slug(company ?? 'company').slice(0, 20) || 'company'}.example.com`
      : rng.pick([
          'gmail.com',
          'yahoo.com',
          'outlook.com',
          'icloud.com',
          'hotmail.com',
          'proton.me',
          'gmx.net',
        ]);
    const local = rng.pick([
      `${first}.${last}`,
      `${first}${last}`,
      `${first[0]}.${last}`,
      `${first}_${last}`,
    ]);
    const email = `${local}${i}@${domain}`;
    const phone = rng.chance(0.6) ? `${country.dial}${String(rng.int(200_000_000, 999_999_999))}` : null;
    const customerId = this.id(T_CUSTOMER, i);
    const externalId = String(6_000_000_000 + i);
    const visitor = `v${mix(seed, i).toString(36)}${i.toString(36)}`;
    // signups grow over time: more recent customers are more likely
    const signup = this.start + Math.floor(Math.sqrt(rng.next()) * (this.end - this.start));
    const signupIso = new Date(signup).toISOString();
    const favourite = [rng.weighted(CATEGORY_CUM), rng.weighted(CATEGORY_CUM)];
    const tags = [...(b2b ? ['wholesale'] : []), ...(rng.chance(0.3) ? ['newsletter'] : [])];
    const emailConsent = rng.pick(['subscribed', 'subscribed', 'not_subscribed', 'unsubscribed']);
    out.customers.push([
      ws,
      customerId,
      email,
      phone,
      firstName,
      lastName,
      company,
      country.locale,
      timeZone,
      country.code,
      city,
      [
        {
          firstName,
          lastName,
          company,
          line1,
          city,
          postalCode,
          country: country.code,
          phone,
          isDefault: true,
        },
      ],
      emailConsent,
      phone ? rng.pick(['subscribed', 'not_subscribed']) : null,
      tags,
      signupIso,
      signupIso,
      this.currency,
      signupIso,
      signupIso,
    ]);
    out.customer_identities.push(
      [ws, SOURCE, externalId, customerId, signupIso],
      [ws, 'email', email.toLowerCase(), customerId, signupIso],
    );

    // How many orders: 15 % never buy (leads); the rest a heavy-tailed count, B2B buyers more.
    const perBuyer = sizesFor(1).ordersPerCustomer / 0.85; // 15 % never buy; guests ride on top
    const sigma = 1.15;
    let n = 0;
    if (!rng.chance(0.15)) {
      n = Math.max(1, Math.round(rng.logNormal(Math.log(perBuyer) - (sigma * sigma) / 2, sigma)));
      if (b2b) n = Math.round(n * 1.8);
      n = Math.min(n, 400);
    }
    const firstAt = signup + Math.floor(rng.exponential(6 * DAY));
    if (firstAt > this.end) n = 0;
    // Going quiet: most repeat buyers stop after a while; the others are still active at the end.
    const churned = rng.chance(0.6);
    const activeUntil = churned
      ? Math.min(this.end, firstAt + Math.floor(rng.exponential(240 * DAY)) + 7 * DAY)
      : this.end;
    // a customer who has just started buying has not had time for many orders yet
    const until = Math.min(this.end, Math.max(firstAt + DAY, activeUntil));
    n = Math.min(n, 1 + Math.floor((until - firstAt) / (2 * DAY)));
    const times = [firstAt];
    for (let k = 1; k < n; k++) times.push(this.moment(rng, firstAt, until, offset));
    times.sort((a, b) => a - b);
    const basket = rng.logNormal(0, 0.55) * (b2b ? 4 : 1);
    for (let k = 0; k < n; k++) {
      this.order(rng, out, {
        customerId,
        country,
        offset,
        favourite,
        basket,
        b2b,
        at: Math.min(times[k]!, this.end),
        first: k === 0,
        visitor,
      });
    }

    // Abandoned checkouts, and browsing sessions that did not end in an order.
    const carts = rng.poisson(0.6);
    for (let k = 0; k < carts; k++) {
      const at = this.moment(rng, signup, this.end, offset);
      const p = this.products[this.pickProduct(rng, favourite)]!;
      const v = rng.pick(p.variants);
      const q = rng.int(1, 2);
      const no = this.checkoutNo++;
      const iso = new Date(at).toISOString();
      const recovered = rng.chance(0.1)
        ? new Date(Math.min(this.end, at + rng.int(1, 72) * 3_600_000)).toISOString()
        : null;
      out.checkouts.push([
        ws,
        this.id(T_CHECKOUT, no),
        SOURCE,
        `c${9_000_000 + no}`,
        customerId,
        email,
        this.currency,
        v.price * q,
        [
          {
            title: p.title,
            sku: v.sku,
            productExternalId: p.externalId,
            variantExternalId: v.externalId,
            quantity: q,
            unitPriceMinor: v.price,
          },
        ],
        `https://store.example.com/checkouts/${no}/recover`,
        recovered,
        iso,
        recovered ?? iso,
        iso,
        recovered ?? iso,
      ]);
      this.session(rng, out, customerId, visitor, at - 15 * 60_000, favourite, p, true);
    }
    const eventsTarget = sizesFor(1).eventsPerCustomer;
    const sessions = rng.poisson(Math.max(0.5, eventsTarget * 0.07 + (n === 0 ? 1 : 0)));
    for (let k = 0; k < sessions; k++) {
      const at = this.moment(rng, signup, this.end, offset);
      this.session(
        rng,
        out,
        customerId,
        visitor,
        at,
        favourite,
        this.products[this.pickProduct(rng, favourite)]!,
        false,
      );
    }

    // Guest orders (no account), about 8 % of orders, placed alongside.
    const guests = rng.poisson(sizesFor(1).ordersPerCustomer * 0.08);
    for (let k = 0; k < guests; k++) {
      const c = COUNTRIES[rng.weighted(COUNTRY_CUM)]!;
      this.order(rng, out, {
        customerId: null,
        country: c,
        offset: c.zones[0]![1],
        favourite: [rng.weighted(CATEGORY_CUM)],
        basket: rng.logNormal(0, 0.5),
        b2b: false,
        at: this.moment(rng, this.start, this.end, c.zones[0]![1]),
        first: false,
        visitor: `g${mix(seed, this.orderNo).toString(36)}`,
      });
    }
  }

  /** A browsing session: a landing page, product views, maybe a cart add and a checkout start. */
  private session(
    rng: Rng,
    out: Rows,
    customerId: string | null,
    visitor: string,
    at: number,
    favourite: number[],
    product: Product,
    toCheckout: boolean,
  ): number {
    const ws = this.opts.workspaceId;
    let t = at;
    const push = (type: string, url: string, productExternalId: string | null) => {
      out.browsing_events.push([
        ws,
        this.id(T_EVENT, this.eventNo++),
        visitor,
        customerId,
        type,
        url,
        productExternalId,
        {},
        new Date(Math.min(t, this.end)).toISOString(),
      ]);
      t += rng.int(10, 240) * 1000;
    };
    push(
      'page_viewed',
      rng.pick(['/', '/', `/collections/${slug(CATEGORIES[product.category]!.name)}`, '/search']),
      null,
    );
    const views = rng.int(1, 3);
    let p = product;
    for (let k = 0; k < views; k++) {
      push('product_viewed', `/products/${p.handle}`, p.externalId);
      p = rng.chance(0.4) ? this.products[p.companion]! : this.products[this.pickProduct(rng, favourite)]!;
    }
    if (toCheckout || rng.chance(0.25))
      push('added_to_cart', `/products/${product.handle}`, product.externalId);
    if (toCheckout) push('checkout_started', '/checkout', null);
    return t;
  }

  private order(
    rng: Rng,
    out: Rows,
    o: {
      customerId: string | null;
      country: Country;
      offset: number;
      favourite: number[];
      basket: number;
      b2b: boolean;
      at: number;
      first: boolean;
      visitor: string;
    },
  ): void {
    const ws = this.opts.workspaceId;
    const no = this.orderNo++;
    const id = this.id(T_ORDER, no);
    const nLines = rng.weighted(cumulative([40, 25, 17, 11, 7])) + 1;
    const day = new Date(o.at);
    const bf = isBlackFridayWeek(day);
    const month = day.getUTCMonth();
    let code: string | null = null;
    let pct = 0;
    if (o.first && rng.chance(0.3)) [code, pct] = ['WELCOME10', 0.1];
    else if (bf && rng.chance(0.55)) [code, pct] = ['BFCM25', 0.25];
    else if (rng.chance(0.08)) {
      if (month >= 2 && month <= 4) [code, pct] = ['SPRING15', 0.15];
      else if (month >= 5 && month <= 7) [code, pct] = ['SUMMER20', 0.2];
      else [code, pct] = [o.b2b ? 'TRADE20' : 'SAVE10', o.b2b ? 0.2 : 0.1];
    }
    const lines: Value[][] = [];
    let subtotal = 0;
    let discount = 0;
    let p = this.products[this.pickProduct(rng, o.favourite)]!;
    const seen = new Set<number>();
    for (let k = 0; k < nLines; k++) {
      const v = rng.pick(p.variants);
      const quantity = o.b2b ? rng.int(3, 24) : rng.chance(0.8) ? 1 : rng.int(2, 3);
      const unit = Math.max(99, Math.round((v.price * Math.min(3, 0.6 + 0.4 * o.basket)) / 100) * 100 - 1);
      const lineDiscount = Math.round(unit * quantity * pct);
      subtotal += unit * quantity;
      discount += lineDiscount;
      lines.push([
        ws,
        id,
        k + 1,
        String(90_000_000_000 + no * 8 + k),
        p.externalId,
        v.externalId,
        v.sku,
        p.title,
        quantity,
        unit,
        lineDiscount,
      ]);
      seen.add(Number(p.externalId));
      // affinity: the next line is often the product's companion
      let next = rng.chance(0.35)
        ? this.products[p.companion]!
        : this.products[this.pickProduct(rng, o.favourite)]!;
      if (seen.has(Number(next.externalId))) next = this.products[this.pickProduct(rng, o.favourite)]!;
      p = next;
    }
    const tax = Math.round((subtotal - discount) * o.country.tax);
    const shipping = subtotal - discount >= 7500 ? 0 : 595;
    const total = subtotal - discount + tax + shipping;
    const cancelled = rng.chance(0.015);
    const recent = this.end - o.at < 3 * DAY;
    const placed = new Date(o.at).toISOString();
    let refunded = 0;
    let financial = cancelled ? 'voided' : 'paid';
    let updated = o.at;
    if (!cancelled && rng.chance(0.05)) {
      const full = rng.chance(0.65);
      const line = lines[rng.int(0, lines.length - 1)]!;
      const amount = full
        ? total
        : Math.min(total, (line[9] as number) - Math.round((line[10] as number) / (line[8] as number)));
      const at = Math.min(this.end, o.at + rng.int(2, 40) * DAY + rng.int(0, DAY - 1));
      const rno = this.refundNo++;
      const iso = new Date(at).toISOString();
      refunded = amount;
      financial = full ? 'refunded' : 'partially_refunded';
      updated = at;
      out.refunds.push([
        ws,
        this.id(T_REFUND, rno),
        SOURCE,
        `r${8_000_000 + rno}`,
        id,
        o.customerId,
        amount,
        this.currency,
        rng.pick(REFUND_REASONS),
        full
          ? lines.map((l) => ({
              lineExternalId: l[3],
              sku: l[6],
              quantity: l[8],
              amountMinor: (l[9] as number) * (l[8] as number) - (l[10] as number),
            }))
          : [{ lineExternalId: line[3], sku: line[6], quantity: 1, amountMinor: amount }],
        iso,
        iso,
      ]);
    }
    const updatedIso = new Date(updated).toISOString();
    out.orders.push([
      ws,
      id,
      SOURCE,
      String(5_000_000_000 + no),
      `#${1001 + no}`,
      o.customerId,
      cancelled ? 'cancelled' : recent ? 'open' : 'closed',
      financial,
      cancelled ? null : recent ? null : 'fulfilled',
      this.currency,
      subtotal,
      discount,
      tax,
      shipping,
      total,
      refunded,
      code ? [code] : [],
      CHANNEL_NAMES[rng.weighted(CHANNELS)]!,
      placed,
      cancelled ? new Date(Math.min(this.end, o.at + 3_600_000)).toISOString() : null,
      updatedIso,
      placed,
      updatedIso,
    ]);
    out.order_lines.push(...lines);
    // the visit that led to the order (other orders come from an email link or a saved cart)
    if (rng.chance(0.7))
      this.session(
        rng,
        out,
        o.customerId,
        o.visitor,
        o.at - rng.int(5, 40) * 60_000,
        o.favourite,
        this.products[Number(lines[0]![4]) - 7_000_000_000]!,
        true,
      );
  }
}

const VARIANTS: Record<string, string[]> = {
  Apparel: ['S', 'M', 'L', 'XL'],
  Footwear: ['38', '40', '42', '44'],
  Food: ['250 g', '500 g', '1 kg', '2 kg'],
  Beauty: ['Travel size', 'Full size', 'Refill', 'Duo'],
  other: ['Standard', 'Large', 'Set of 2', 'Set of 4'],
};
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];
const STYLES = [
  'Classic',
  'Everyday',
  'Essential',
  'Organic',
  'Vintage',
  'Premium',
  'Soft',
  'Lightweight',
  'Handmade',
  'Signature',
  'Modern',
  'Cozy',
];
const COLOURED = new Set(['Apparel', 'Footwear', 'Accessories', 'Home']);
/** A plausible title for a product of the category, e.g. "Everyday Navy Cardigan" (faker seeded per product). */
function productTitle(category: number): string {
  const c = CATEGORIES[category]!;
  const style = fakerEN.helpers.arrayElement(STYLES);
  const noun = fakerEN.helpers.arrayElement(c.nouns);
  if (!COLOURED.has(c.type)) return `${style} ${noun}`;
  const colour = fakerEN.color.human();
  return `${style} ${colour[0]!.toUpperCase()}${colour.slice(1)} ${noun}`;
}

const VENDORS = [
  'Northwind',
  'Acme Goods',
  'Bluebird',
  'Fernhill',
  'Oak & Ivy',
  'Harbor Lane',
  'Copperleaf',
  'Maple Studio',
  'Kestrel',
  'Tidewater',
];
function fakerVendor(externalId: string): string {
  return VENDORS[Number(externalId) % VENDORS.length]!;
}
