// Identity resolution: one customer per person across email, phone and platform ids.
import { and, eq, sql } from 'drizzle-orm';
import { anyOf, records } from '../../platform/bulk.ts';
import type { Db } from '../../platform/db.ts';
import { newId } from '../../platform/tokens.ts';
import { customerIdentities } from './commerce.table.ts';

export type PersonRef = {
  externalId?: string | null;
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
};

export type Identity = { kind: string; value: string };

export const normaliseEmail = (e: string | null | undefined): string | null => {
  const v = e?.trim().toLowerCase();
  return v && /^[^\s@]+@[^\s@]+$/.test(v) ? v : null;
};

/** Phones compare by their digits (a leading + kept): "+1 (555) 010-2000" = "+15550102000". */
export const normalisePhone = (p: string | null | undefined): string | null => {
  if (!p) return null;
  const digits = p.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return digits.replace(/\D/g, '').length >= 6 ? digits : null;
};

/** The identities a reference carries, strongest first: the platform's id, then email, then phone. */
export function identitiesOf(source: string, ref: PersonRef): Identity[] {
  const ids: Identity[] = [];
  if (ref.externalId) ids.push({ kind: source, value: String(ref.externalId) });
  const email = normaliseEmail(ref.email);
  if (email) ids.push({ kind: 'email', value: email });
  const phone = normalisePhone(ref.phone);
  if (phone) ids.push({ kind: 'phone', value: phone });
  return ids;
}

const keyOf = (i: Identity) => `${i.kind}\u0000${i.value}`;

/**
 * Two deliveries naming the same new person at once must not create two customers: each takes
 * transaction locks on the identities of the people it is about to create, in one global order (by
 * hash) to avoid deadlocks. People already known need no lock (an identity, once linked, stays linked),
 * so deliveries about repeat buyers run side by side.
 */
async function lockIdentities(tx: Db, workspaceId: string, ids: Identity[]): Promise<void> {
  if (ids.length === 0) return;
  const keys = [...new Set(ids.map((i) => `${workspaceId}:${i.kind}:${i.value}`))];
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(${sql.param(keys)}::text[]) AS k ORDER BY 1) AS s`,
  );
}

/** Looks up which customers the given identities belong to (one query). */
export async function lookupIdentities(
  tx: Db,
  workspaceId: string,
  ids: Identity[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (ids.length === 0) return found;
  const kinds = ids.map((i) => i.kind);
  const values = ids.map((i) => i.value);
  const rows = await tx
    .select({
      kind: customerIdentities.kind,
      value: customerIdentities.value,
      customerId: customerIdentities.customerId,
    })
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        sql`(${customerIdentities.kind}, ${customerIdentities.value}) IN (SELECT * FROM unnest(${sql.param(kinds)}::text[], ${sql.param(values)}::text[]))`,
      ),
    );
  for (const r of rows) found.set(keyOf(r), r.customerId);
  return found;
}

/** Links identities to a customer; one already taken by another customer stays with it. */
export async function linkIdentities(
  tx: Db,
  workspaceId: string,
  customerId: string,
  ids: Identity[],
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .insert(customerIdentities)
    .values(ids.map((i) => ({ workspaceId, kind: i.kind, value: i.value, customerId })))
    .onConflictDoNothing();
}

export type Resolved = { customerId: string; created: boolean };

/**
 * Resolves many references at once: each to an existing customer (by its strongest known identity)
 * or to a new one. References with no identity at all (a guest with no email) resolve to nothing.
 * References naming the same person within one call resolve to the same customer.
 */
export async function resolvePeople(
  tx: Db,
  workspaceId: string,
  source: string,
  refs: PersonRef[],
): Promise<(Resolved | null)[]> {
  const idsPerRef = refs.map((r) => identitiesOf(source, r));
  const known = await lookupIdentities(tx, workspaceId, idsPerRef.flat());
  // Who would be created: lock their identities, then look them up again — a concurrent delivery may
  // have created them between the first look and the lock (it committed before the lock was granted).
  const unknown = idsPerRef.filter((ids) => ids.length > 0 && !ids.some((id) => known.has(keyOf(id))));
  if (unknown.length) {
    await lockIdentities(tx, workspaceId, unknown.flat());
    for (const [k, v] of await lookupIdentities(tx, workspaceId, unknown.flat())) known.set(k, v);
  }
  const fresh = new Map<string, string>(); // identity key → customer created in this call
  const toCreate: { id: string; ref: PersonRef; ids: Identity[] }[] = [];
  const toLink: { customerId: string; ids: Identity[] }[] = [];
  const createdHere = new Set<string>();
  const results = idsPerRef.map((ids, i): Resolved | null => {
    if (ids.length === 0) return null;
    const hit = ids.map((id) => known.get(keyOf(id)) ?? fresh.get(keyOf(id))).find(Boolean);
    if (hit) {
      const missing = ids.filter((id) => !known.has(keyOf(id)) && !fresh.has(keyOf(id)));
      if (missing.length) {
        toLink.push({ customerId: hit, ids: missing });
        for (const m of missing) fresh.set(keyOf(m), hit);
      }
      return { customerId: hit, created: createdHere.has(hit) };
    }
    const id = newId();
    toCreate.push({ id, ref: refs[i]!, ids });
    createdHere.add(id);
    for (const m of ids) fresh.set(keyOf(m), id);
    return { customerId: id, created: true };
  });
  // The rows as one array parameter per column (records): a statement of the same shape however many
  // people a batch brings (a multi-row VALUES of every column is parsed and planned anew each time).
  if (toCreate.length) {
    await tx.execute(sql`
      INSERT INTO customers (workspace_id, id, email, phone, first_name, last_name)
      SELECT ${workspaceId}::uuid, x.* FROM (${records(
        [
          ['id', 'uuid'],
          ['email', 'text'],
          ['phone', 'text'],
          ['firstName', 'text'],
          ['lastName', 'text'],
        ],
        toCreate.map((c) => ({
          id: c.id,
          email: normaliseEmail(c.ref.email),
          phone: normalisePhone(c.ref.phone),
          firstName: c.ref.firstName,
          lastName: c.ref.lastName,
        })),
      )}) AS x`);
    for (const c of toCreate) toLink.push({ customerId: c.id, ids: c.ids });
  }
  const links = toLink.flatMap((l) => l.ids.map((i) => ({ ...i, customerId: l.customerId })));
  if (links.length)
    await tx.execute(sql`
      INSERT INTO customer_identities (workspace_id, kind, value, customer_id)
      SELECT ${workspaceId}::uuid, x.* FROM (${records(
        [
          ['kind', 'text'],
          ['value', 'text'],
          ['customerId', 'uuid'],
        ],
        links,
      )}) AS x
      ON CONFLICT DO NOTHING`);
  return results;
}

export async function customerIdsByIdentity(tx: Db, workspaceId: string, kind: string, values: string[]) {
  if (values.length === 0) return new Map<string, string>();
  const rows = await tx
    .select({ value: customerIdentities.value, customerId: customerIdentities.customerId })
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        eq(customerIdentities.kind, kind),
        anyOf(customerIdentities.value, 'text', values),
      ),
    );
  return new Map(rows.map((r) => [r.value, r.customerId]));
}
