// Customer search: the words typed are widened to the stored words they may mean — the same word, words
// it begins (a fragment as typed so far), and similar words (typos, by trigram similarity) — then the
// customers holding a match for every typed word are ranked by how well their words match. Both steps
// read narrow indexed tables (migration 0013), so a common or misspelt name stays an index lookup.
// An email address or platform id is looked up as typed through the identities, a phone number by its
// digits (a term of its own); never fuzzily — a near address is another person.
import { type SQL, sql } from 'drizzle-orm';
import { sources } from '../../../../contracts/commerce.ts';
import { type Db, rows } from '../../platform/db.ts';

/** How many typed words count (more are ignored); patron_search_expand (migration 0013) widens each. */
const MAX_WORDS = 5;
const IDENTITY_KINDS = ['email', 'phone', ...sources];

const isPhone = (text: string) => /^[\d\s()+.-]{5,}$/.test(text) && text.replace(/\D/g, '').length >= 6;
/** Whether the text is looked up as typed (an email address or a phone number), never fuzzily. */
export const isExactLookup = (text: string) => text.includes('@') || isPhone(text);

/** The words of a search text, split and lower-cased as the stored words are (in the database). */
export function searchWordsSql(text: string): SQL {
  // for an address, the words of its local part find candidates; the address itself must then appear
  const wordsOf = text.includes('@') ? text.slice(0, text.indexOf('@')) : text;
  return sql`SELECT patron_search_words(${wordsOf}) AS words`;
}

export async function searchWords(db: Db, text: string): Promise<string[]> {
  const [r] = await rows<{ words: string[] }>(db, searchWordsSql(text));
  return (r?.words ?? []).slice(0, MAX_WORDS);
}

/**
 * The customers matching `text` (split into `words` by `searchWords`), best first: `(customer_id,
 * score)` rows, at most `cap`. Each word is a
 * constant of the statement, so the trigram index on the stored words serves its lookup.
 */
export function searchHitsSql(workspaceId: string, text: string, words: string[], cap: number): SQL {
  const exact = isExactLookup(text);
  const parts: SQL[] = [];
  const phone = isPhone(text) ? text.replace(/\D/g, '') : null;
  if (phone)
    parts.push(sql`SELECT t.customer_id, 100.0::float8 AS score FROM customer_search_terms t
      WHERE t.workspace_id = ${workspaceId} AND t.word = ${phone}`);
  else if (words.length) {
    const expanded = words.map(
      (w, i) =>
        sql`SELECT ${i}::int AS ord, e.word, e.score FROM patron_search_expand(${workspaceId}, ${w}, ${!exact}) e`,
    );
    const byWords = sql`
      WITH expanded AS (${sql.join(expanded, sql` UNION ALL `)}),
      best AS (SELECT ord, word, max(score) AS score FROM expanded GROUP BY ord, word),
      per_word AS (
        SELECT t.customer_id, b.ord, max(b.score) AS score
          FROM best b JOIN customer_search_terms t ON t.workspace_id = ${workspaceId} AND t.word = b.word
         GROUP BY t.customer_id, b.ord
      )
      SELECT customer_id, sum(score) AS score FROM per_word
       GROUP BY customer_id HAVING count(*) = ${words.length}`;
    parts.push(
      exact
        ? sql`SELECT h.customer_id, h.score FROM (${byWords}) h JOIN customers c
                ON c.workspace_id = ${workspaceId} AND c.id = h.customer_id
             WHERE strpos(lower(c.email::text), ${text.toLowerCase()}) > 0`
        : byWords,
    );
  }
  // an address, a phone number or a platform id (anything with a digit or an @) as typed
  if (/[\d@]/.test(text))
    parts.push(sql`SELECT i.customer_id, 100.0::float8 AS score FROM customer_identities i
     WHERE i.workspace_id = ${workspaceId} AND i.kind IN (${sql.join(
       IDENTITY_KINDS.map((k) => sql`${k}`),
       sql`, `,
     )}) AND i.value IN (${text}, ${text.toLowerCase()})`);
  if (!parts.length) return sql`SELECT NULL::uuid AS customer_id, 0::float8 AS score WHERE false`;
  return sql`SELECT customer_id, max(score) AS score FROM (${sql.join(
    parts.map((p) => sql`(${p})`),
    sql` UNION ALL `,
  )}) m GROUP BY customer_id ORDER BY max(score) DESC, customer_id DESC LIMIT ${cap}`;
}
