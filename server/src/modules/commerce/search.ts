// Customer search: the words typed are widened to the stored words they may mean — the same word, words
// it begins (a fragment as typed so far), and similar words (typos, by trigram similarity) — then the
// customers holding a match for every typed word are ranked by how well their words match. Both steps
// read narrow indexed tables (migration 0012), so a common or misspelt name stays an index lookup.
// An email address, phone number or platform id is looked up as typed through the identities instead:
// a near address is another person.
import { type SQL, sql } from 'drizzle-orm';

/** How many typed words count (more are ignored), and how many stored words one of them may mean. */
const MAX_WORDS = 5;
const PREFIX_WORDS = 40;
const SIMILAR_WORDS = 20;

/** Whether the text is looked up as typed (an email address or a phone number), never fuzzily. */
export const isExactLookup = (text: string) => text.includes('@') || /^[\d\s()+.-]{5,}$/.test(text);

/**
 * The customers matching `text`, best first: `(customer_id, score)` rows, at most `cap`. Run after
 * `searchSettings` in the same transaction.
 */
export function searchHitsSql(workspaceId: string, text: string, cap: number): SQL {
  const exact = isExactLookup(text);
  // for an address, the words of its local part find candidates; the address itself must then appear
  const wordsOf = exact && text.includes('@') ? text.slice(0, text.indexOf('@')) : text;
  const similar = exact
    ? sql``
    : sql`UNION ALL
        (SELECT s.word, 0.9 * similarity(s.word, q.w)::float8
           FROM customer_search_words s
          WHERE length(q.w) >= 3 AND s.workspace_id = ${workspaceId} AND s.word % q.w
          ORDER BY s.word <-> q.w LIMIT ${SIMILAR_WORDS})`;
  const byWords = sql`
    WITH q AS (
      SELECT w, ord FROM unnest(patron_search_words(${wordsOf})) WITH ORDINALITY AS t(w, ord)
       ORDER BY ord LIMIT ${MAX_WORDS}
    ), expanded AS (
      SELECT q.ord, x.word, x.score FROM q CROSS JOIN LATERAL (
        (SELECT s.word, CASE WHEN s.word = q.w THEN 1.0 ELSE 0.8 END::float8 AS score
           FROM customer_search_words s
          WHERE s.workspace_id = ${workspaceId} AND s.word >= q.w AND s.word < q.w || chr(1114111)
          ORDER BY s.word LIMIT ${PREFIX_WORDS})
        ${similar}
      ) x
    ), best AS (
      SELECT ord, word, max(score) AS score FROM expanded GROUP BY ord, word
    ), per_word AS (
      SELECT t.customer_id, b.ord, max(b.score) AS score
        FROM best b JOIN customer_search_terms t ON t.workspace_id = ${workspaceId} AND t.word = b.word
       GROUP BY t.customer_id, b.ord
    )
    SELECT customer_id, sum(score) AS score FROM per_word
     GROUP BY customer_id HAVING count(*) = (SELECT count(*) FROM q)`;
  const identity = sql`
    SELECT i.customer_id, 100.0::float8 AS score FROM customer_identities i
     WHERE i.workspace_id = ${workspaceId} AND i.value IN (${text}, ${text.toLowerCase()})`;
  const words = exact
    ? sql`SELECT h.customer_id, h.score FROM (${byWords}) h JOIN customers c
            ON c.workspace_id = ${workspaceId} AND c.id = h.customer_id
         WHERE strpos(lower(c.email::text), ${text.toLowerCase()}) > 0`
    : byWords;
  return sql`SELECT customer_id, max(score) AS score FROM ((${identity}) UNION ALL (${words})) m
    GROUP BY customer_id ORDER BY max(score) DESC, customer_id DESC LIMIT ${cap}`;
}

/** The transaction-local setting the similar-word lookup uses: the similarity a stored word needs to
 * count as a typo of the typed one. */
export const searchSettings = sql`SELECT set_config('pg_trgm.similarity_threshold', '0.4', true)`;
