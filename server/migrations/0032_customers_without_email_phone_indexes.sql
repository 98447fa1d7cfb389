-- Customers' email and phone indexes served no query: a person is found by either through
-- customer_identities, and the list, search and segments read them through expressions (lower(),
-- ::text, split_part) that an index on the column cannot serve. A customer's metrics, scores and
-- segment changes are not HOT updates, so every one of them wrote an entry into both.
DROP INDEX "customers_email_idx";--> statement-breakpoint
DROP INDEX "customers_phone_idx";
