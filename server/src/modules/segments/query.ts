// The segment query language: a hand-written tokenizer and recursive-descent parser from text to the
// rule model, and a printer back (print(parse(print(r))) === print(r)). Errors carry the offset and the
// reason, e.g. `amount_spent >` → "expected a number after '>'" at offset 13.
import {
  type CompareOp,
  type Condition,
  compareOps,
  type DateValue,
  dateFields,
  eventTypes,
  numberFields,
  orderFunctions,
  RULE_LIMITS,
  type RuleGroup,
  rfmGroups,
  textFields,
} from '../../../../contracts/segments.ts';

export class QueryError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} (at character ${position + 1})`);
  }
}

type Tok =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number; raw: string }
  | { t: 'rel'; days: number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: CompareOp; pos: number }
  | { t: '(' | ')' | ',' | ':' | 'end'; pos: number };

const UNIT_DAYS: Record<string, number> = { d: 1, w: 7, m: 30, y: 365 };

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',' || c === ':') {
      out.push({ t: c, pos: i++ });
      continue;
    }
    if (c === "'" || c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new QueryError(start, 'text value is not closed with a quote');
        const d = src[i]!;
        if (d === '\\' && i + 1 < src.length) {
          v += src[i + 1];
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push({ t: 'str', v, pos: start });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '>=' || two === '<=' || two === '!=' || two === '<>') {
      out.push({ t: 'op', v: two === '<>' ? '!=' : (two as CompareOp), pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<') {
      out.push({ t: 'op', v: c, pos: i++ });
      continue;
    }
    const num = /^[-+]?(\d+(\.\d+)?)([dwmy](?![A-Za-z0-9_]))?/.exec(src.slice(i));
    if (num && /[-+\d]/.test(c)) {
      const value = Number(num[0].replace(/[dwmy]$/, ''));
      if (num[3]) {
        if (!Number.isInteger(value)) throw new QueryError(start, 'a relative date needs a whole number');
        out.push({ t: 'rel', days: value * UNIT_DAYS[num[3]]!, pos: start });
      } else out.push({ t: 'num', v: value, pos: start, raw: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'ident', v: id[0], pos: start });
      i += id[0].length;
      continue;
    }
    throw new QueryError(i, `unexpected character '${c}'`);
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

const FIELD_NAMES = [
  ...numberFields,
  ...dateFields,
  ...textFields,
  'customer_tags',
  'rfm_group',
  ...orderFunctions.filter((f) => !numberFields.includes(f as never)),
  'events',
  'abandoned_checkouts',
];

const describe = (t: Tok): string =>
  t.t === 'end'
    ? 'the end of the query'
    : t.t === 'ident'
      ? `'${t.v}'`
      : t.t === 'str'
        ? `'${t.v}' (text)`
        : t.t === 'num'
          ? t.raw
          : t.t === 'rel'
            ? `${t.days}d`
            : t.t === 'op'
              ? `'${t.v}'`
              : `'${t.t}'`;

/** Parses query text into rules; throws QueryError with the offset and reason. */
export function parseQuery(src: string): RuleGroup {
  if (!src.trim()) throw new QueryError(0, 'the query is empty');
  const toks = tokenize(src);
  let k = 0;
  let conditions = 0;
  // groups written in parentheses: "(a AND b)" alone is a group inside the top group
  const parenthesised = new WeakSet<object>();
  const peek = () => toks[k]!;
  const next = () => toks[k++]!;
  const isKw = (t: Tok, kw: string) => t.t === 'ident' && t.v.toUpperCase() === kw;
  const expectKw = (kw: string, after: string) => {
    const t = next();
    if (!isKw(t, kw)) throw new QueryError(t.pos, `expected ${kw} ${after}, found ${describe(t)}`);
  };

  const parseOr = (depth: number): RuleGroup | Condition => {
    const parts = [parseAnd(depth)];
    while (isKw(peek(), 'OR')) {
      next();
      parts.push(parseAnd(depth));
    }
    return parts.length === 1 ? parts[0]! : { kind: 'group', op: 'or', rules: parts };
  };
  const parseAnd = (depth: number): RuleGroup | Condition => {
    const parts = [parseAtom(depth)];
    while (isKw(peek(), 'AND')) {
      next();
      parts.push(parseAtom(depth));
    }
    return parts.length === 1 ? parts[0]! : { kind: 'group', op: 'and', rules: parts };
  };
  const parseAtom = (depth: number): RuleGroup | Condition => {
    const t = peek();
    if (t.t === '(') {
      if (depth >= RULE_LIMITS.depth)
        throw new QueryError(t.pos, `groups nest at most ${RULE_LIMITS.depth} deep`);
      next();
      const inner = parseOr(depth + 1);
      const close = next();
      if (close.t !== ')')
        throw new QueryError(
          close.pos,
          `expected ')' to close the group opened at character ${t.pos + 1}, found ${describe(close)}`,
        );
      const g: RuleGroup =
        inner.kind === 'group' && !parenthesised.has(inner)
          ? inner
          : { kind: 'group', op: 'and', rules: [inner] };
      parenthesised.add(g);
      return g;
    }
    if (++conditions > RULE_LIMITS.conditions)
      throw new QueryError(t.pos, `a segment holds at most ${RULE_LIMITS.conditions} conditions`);
    return parseCondition();
  };

  const parseNumber = (after: string): number => {
    const t = next();
    if (t.t !== 'num') throw new QueryError(t.pos, `expected a number ${after}, found ${describe(t)}`);
    return t.v;
  };
  const parseString = (after: string): string => {
    const t = next();
    if (t.t !== 'str') throw new QueryError(t.pos, `expected a quoted text ${after}, found ${describe(t)}`);
    if (!t.v) throw new QueryError(t.pos, 'the text is empty');
    return t.v;
  };
  const parseDate = (after: string): DateValue => {
    const t = next();
    if (t.t === 'rel') {
      if (Math.abs(t.days) > 36500) throw new QueryError(t.pos, 'a relative date reaches at most 100 years');
      return { days: t.days };
    }
    if (t.t === 'str') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(t.v) || Number.isNaN(Date.parse(`${t.v}T00:00:00Z`)))
        throw new QueryError(t.pos, `expected a date as 'YYYY-MM-DD', found '${t.v}'`);
      return { date: t.v };
    }
    throw new QueryError(
      t.pos,
      `expected a date (-90d, -4w, -6m, -1y or 'YYYY-MM-DD') ${after}, found ${describe(t)}`,
    );
  };
  const parseOp = (field: string): Tok & { t: 'op' } => {
    const t = next();
    if (t.t !== 'op')
      throw new QueryError(t.pos, `expected an operator after ${field}, found ${describe(t)}`);
    return t;
  };

  const parseCondition = (): Condition => {
    const f = next();
    if (f.t !== 'ident')
      throw new QueryError(
        f.pos,
        `expected a field name (${FIELD_NAMES.slice(0, 6).join(', ')}, …), found ${describe(f)}`,
      );
    const name = f.v.toLowerCase();
    if (peek().t === '(') return parseFunction(name, f.pos);
    if ((numberFields as readonly string[]).includes(name)) {
      const field = name as (typeof numberFields)[number];
      if (isKw(peek(), 'BETWEEN')) {
        next();
        const from = parseNumber('after BETWEEN');
        expectKw('AND', 'between the two bounds');
        return { kind: 'number', field, test: { op: 'between', from, to: parseNumber('after AND') } };
      }
      if (isKw(peek(), 'IS')) return { kind: 'number', field, test: parseIsNull() };
      const op = parseOp(name);
      return { kind: 'number', field, test: { op: op.v, value: parseNumber(`after '${op.v}'`) } };
    }
    if ((dateFields as readonly string[]).includes(name)) {
      const field = name as (typeof dateFields)[number];
      if (isKw(peek(), 'BETWEEN')) {
        next();
        const from = parseDate('after BETWEEN');
        expectKw('AND', 'between the two dates');
        return { kind: 'date', field, test: { op: 'between', from, to: parseDate('after AND') } };
      }
      if (isKw(peek(), 'IS')) return { kind: 'date', field, test: parseIsNull() };
      const op = parseOp(name);
      return { kind: 'date', field, test: { op: op.v, value: parseDate(`after '${op.v}'`) } };
    }
    if ((textFields as readonly string[]).includes(name)) {
      const field = name as (typeof textFields)[number];
      if (isKw(peek(), 'IS')) return { kind: 'text', field, test: parseIsNull() };
      const contains = parseContains();
      if (contains)
        return { kind: 'text', field, test: { op: contains, value: parseString('after CONTAINS') } };
      const op = parseOp(name);
      if (op.v !== '=' && op.v !== '!=')
        throw new QueryError(op.pos, `${name} is text: use =, !=, CONTAINS, NOT CONTAINS or IS NULL`);
      return { kind: 'text', field, test: { op: op.v, value: parseString(`after '${op.v}'`) } };
    }
    if (name === 'customer_tags') {
      const op = parseContains();
      if (!op)
        throw new QueryError(
          peek().pos,
          `customer_tags takes CONTAINS or NOT CONTAINS, found ${describe(peek())}`,
        );
      return { kind: 'tag', op, value: parseString('after CONTAINS') };
    }
    if (name === 'rfm_group') {
      const op = parseOp(name);
      if (op.v !== '=' && op.v !== '!=') throw new QueryError(op.pos, 'rfm_group takes = or !=');
      const at = peek().pos;
      const v = parseString(`after '${op.v}'`)
        .toLowerCase()
        .replace(/[\s']+/g, '_');
      const group = rfmGroups.find((g) => g === v || g === v.replace(/^can_t/, 'cant'));
      if (!group) throw new QueryError(at, `unknown RFM group (known: ${rfmGroups.join(', ')})`);
      return { kind: 'rfm', op: op.v, value: group };
    }
    throw new QueryError(f.pos, unknownField(f.v));
  };

  const parseContains = (): 'contains' | 'not_contains' | undefined => {
    if (isKw(peek(), 'CONTAINS')) {
      next();
      return 'contains';
    }
    if (isKw(peek(), 'NOT') && isKw(toks[k + 1]!, 'CONTAINS')) {
      k += 2;
      return 'not_contains';
    }
    return undefined;
  };
  const parseIsNull = (): { op: 'is_null' | 'is_not_null' } => {
    next();
    const not = isKw(peek(), 'NOT');
    if (not) next();
    expectKw('NULL', not ? 'after IS NOT' : 'after IS');
    return { op: not ? 'is_not_null' : 'is_null' };
  };

  const parseFunction = (name: string, pos: number): Condition => {
    const isOrders = (orderFunctions as readonly string[]).includes(name);
    const isEvents = name === 'events' || name === 'abandoned_checkouts';
    if (!isOrders && !isEvents) throw new QueryError(pos, unknownField(name));
    const allowed = isOrders
      ? ['since', 'until', 'category', 'product', 'discount_code']
      : name === 'events'
        ? ['type', 'product', 'since', 'until']
        : ['since', 'until'];
    next(); // (
    const args: Record<string, unknown> = {};
    while (peek().t !== ')') {
      const key = next();
      if (key.t !== 'ident')
        throw new QueryError(
          key.pos,
          `expected an argument name (${allowed.join(', ')}), found ${describe(key)}`,
        );
      const kname = key.v.toLowerCase();
      if (!allowed.includes(kname))
        throw new QueryError(
          key.pos,
          `${name}() has no argument '${key.v}' (it takes ${allowed.join(', ')})`,
        );
      if (kname in args) throw new QueryError(key.pos, `argument '${kname}' is given twice`);
      const colon = next();
      if (colon.t !== ':')
        throw new QueryError(colon.pos, `expected ':' after ${kname}, found ${describe(colon)}`);
      if (kname === 'since' || kname === 'until') args[kname] = parseDate(`for ${kname}`);
      else if (kname === 'type') {
        const at = peek().pos;
        const v = parseString('for type');
        if (!(eventTypes as readonly string[]).includes(v))
          throw new QueryError(at, `unknown event type '${v}' (known: ${eventTypes.join(', ')})`);
        args.type = v;
      } else args[kname] = parseString(`for ${kname}`);
      if (peek().t === ',') next();
      else if (peek().t !== ')')
        throw new QueryError(peek().pos, `expected ',' or ')' in ${name}(), found ${describe(peek())}`);
    }
    next(); // )
    if (name === 'products_purchased' && !args.category && !args.product)
      throw new QueryError(pos, 'products_purchased() needs product: or category:');
    if (isEvents && !args.since)
      throw new QueryError(
        pos,
        `${name}() needs since: — event history is only searched within a window (at most ${RULE_LIMITS.windowDays} days)`,
      );
    const op = parseOp(`${name}()`);
    const valueTok = peek();
    const value = parseNumber(`after '${op.v}'`);
    const window = {
      ...(args.since ? { since: args.since as DateValue } : {}),
      ...(args.until ? { until: args.until as DateValue } : {}),
    };
    if (isEvents) {
      if (!Number.isInteger(value) || value < 0)
        throw new QueryError(valueTok.pos, 'a count is a whole number of at least 0');
      return {
        kind: 'events',
        fn: name as 'events' | 'abandoned_checkouts',
        ...(args.type ? { type: args.type as (typeof eventTypes)[number] } : {}),
        ...(args.product ? { product: args.product as string } : {}),
        window,
        op: op.v,
        value,
      };
    }
    return {
      kind: 'orders',
      fn: name as (typeof orderFunctions)[number],
      window,
      ...(args.category ? { category: args.category as string } : {}),
      ...(args.product ? { product: args.product as string } : {}),
      ...(args.discount_code ? { discountCode: args.discount_code as string } : {}),
      op: op.v,
      value,
    };
  };

  const root = parseOr(0);
  const end = peek();
  if (end.t !== 'end') {
    const hint = end.t === ')' ? "a ')' without its '('" : `${describe(end)}; join conditions with AND or OR`;
    throw new QueryError(end.pos, `unexpected ${hint}`);
  }
  return root.kind === 'group' && !parenthesised.has(root)
    ? root
    : { kind: 'group', op: 'and', rules: [root] };
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function unknownField(name: string): string {
  const lower = name.toLowerCase();
  const close = FIELD_NAMES.map((f) => ({ f, d: distance(lower, f) }))
    .filter((x) => x.d <= 3)
    .sort((x, y) => x.d - y.d)[0]?.f;
  return `unknown field '${name}'${close ? ` — did you mean ${close}?` : ''} (known: ${FIELD_NAMES.join(', ')})`;
}

// ---- printer ----

const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const date = (d: DateValue) => ('days' in d ? `${d.days}d` : str(d.date));
const opText = (op: string) => (op === 'contains' ? 'CONTAINS' : op === 'not_contains' ? 'NOT CONTAINS' : op);

function printTest(
  t: { op: string; value?: unknown; from?: unknown; to?: unknown },
  value: (v: never) => string,
): string {
  if (t.op === 'is_null') return 'IS NULL';
  if (t.op === 'is_not_null') return 'IS NOT NULL';
  if (t.op === 'between') return `BETWEEN ${value(t.from as never)} AND ${value(t.to as never)}`;
  return `${opText(t.op)} ${value(t.value as never)}`;
}

export function printCondition(c: Condition): string {
  switch (c.kind) {
    case 'number':
      return `${c.field} ${printTest(c.test, (v: number) => String(v))}`;
    case 'date':
      return `${c.field} ${printTest(c.test, date)}`;
    case 'text':
      return `${c.field} ${printTest(c.test, str)}`;
    case 'tag':
      return `customer_tags ${opText(c.op)} ${str(c.value)}`;
    case 'rfm':
      return `rfm_group ${c.op} ${str(c.value)}`;
    case 'orders': {
      const args = [
        c.window.since && `since: ${date(c.window.since)}`,
        c.window.until && `until: ${date(c.window.until)}`,
        c.category && `category: ${str(c.category)}`,
        c.product && `product: ${str(c.product)}`,
        c.discountCode && `discount_code: ${str(c.discountCode)}`,
      ].filter(Boolean);
      return `${c.fn}(${args.join(', ')}) ${c.op} ${c.value}`;
    }
    case 'events': {
      const own = c.fn === 'events'; // abandoned checkouts take a window only
      const args = [
        own && c.type && `type: ${str(c.type)}`,
        own && c.product && `product: ${str(c.product)}`,
        c.window.since && `since: ${date(c.window.since)}`,
        c.window.until && `until: ${date(c.window.until)}`,
      ].filter(Boolean);
      return `${c.fn}(${args.join(', ')}) ${c.op} ${c.value}`;
    }
  }
}

export function printQuery(g: RuleGroup, nested = false): string {
  const parts = g.rules.map((r) => (r.kind === 'group' ? printQuery(r, true) : printCondition(r)));
  const body = parts.join(g.op === 'and' ? ' AND ' : ' OR ');
  return nested ? `(${body})` : body;
}

export { compareOps };
