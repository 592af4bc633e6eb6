-- One batch of the abuse-limit purge (momentum.limits._PURGE) with and without rate_limit_events_created_at_idx
-- (migration 0032_rate_limit_purge), on 1,000,000 live events and 5,000 old ones stored after them: a batch, then
-- the statement that finds none left, as every run ends. It works in a scratch database it drops afterwards:
--     psql postgresql://postgres@127.0.0.1:5432/postgres -f bench/rate_limit_purge.sql
DROP DATABASE IF EXISTS rate_limit_purge_bench;
CREATE DATABASE rate_limit_purge_bench;
\c rate_limit_purge_bench
CREATE TABLE rate_limit_events (scope TEXT NOT NULL, subject TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX rate_limit_events_scope_subject_created_at_idx ON rate_limit_events (scope, subject, created_at);
-- 1,000,000 live events (the last hour), then 5,000 old ones stored after them
INSERT INTO rate_limit_events SELECT 'verify_failure', 'a' || g || '@example.com', now() - (g * interval '3.6 ms') FROM generate_series(1, 1000000) g;
INSERT INTO rate_limit_events SELECT 'magic_link_ip', '10.0.' || g, now() - interval '3 days' FROM generate_series(1, 5000) g;
VACUUM ANALYZE rate_limit_events;
\echo --- without the created_at index: a batch, then the statement that finds none left
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM rate_limit_events WHERE ctid = ANY(ARRAY(SELECT ctid FROM rate_limit_events WHERE created_at < now() - make_interval(secs => 7200) LIMIT 5000 FOR UPDATE SKIP LOCKED));
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM rate_limit_events WHERE ctid = ANY(ARRAY(SELECT ctid FROM rate_limit_events WHERE created_at < now() - make_interval(secs => 7200) LIMIT 5000 FOR UPDATE SKIP LOCKED));
INSERT INTO rate_limit_events SELECT 'magic_link_ip', '10.0.' || g, now() - interval '3 days' FROM generate_series(1, 5000) g;
\timing on
CREATE INDEX rate_limit_events_created_at_idx ON rate_limit_events (created_at);
\timing off
VACUUM ANALYZE rate_limit_events;
\echo --- with it
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM rate_limit_events WHERE ctid = ANY(ARRAY(SELECT ctid FROM rate_limit_events WHERE created_at < now() - make_interval(secs => 7200) LIMIT 5000 FOR UPDATE SKIP LOCKED));
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM rate_limit_events WHERE ctid = ANY(ARRAY(SELECT ctid FROM rate_limit_events WHERE created_at < now() - make_interval(secs => 7200) LIMIT 5000 FOR UPDATE SKIP LOCKED));
\c postgres
DROP DATABASE rate_limit_purge_bench;
