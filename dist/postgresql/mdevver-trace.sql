-- mdevver-trace: the collector's table (docs/fleet.md).  One row per audit
-- record, the record itself as jsonb, its identity (docs/event-schema.md:
-- host_id, boot_id, run_id, seq) UNIQUE so that a record rsyslog sends
-- again after an outage is stored once (the collector inserts with
-- ON CONFLICT DO NOTHING: dist/rsyslog/mdevver-trace-collector.conf).
--
--   createdb mdevver && psql -d mdevver -f mdevver-trace.sql
--   createuser rsyslog; GRANT INSERT, SELECT ON mdevver_trace_records TO rsyslog;
--   GRANT USAGE ON SEQUENCE mdevver_trace_records_id_seq TO rsyslog;
--
-- Idempotent (IF NOT EXISTS): running it again changes nothing.

CREATE TABLE IF NOT EXISTS mdevver_trace_records (
	id       bigserial PRIMARY KEY,
	-- the identity: 32 lowercase hex digits each, seq from 1 per run
	host_id  text   NOT NULL CHECK (host_id ~ '^[0-9a-f]{32}$'),
	boot_id  text   NOT NULL CHECK (boot_id ~ '^[0-9a-f]{32}$'),
	run_id   text   NOT NULL CHECK (run_id ~ '^[0-9a-f]{32}$'),
	seq      bigint NOT NULL CHECK (seq >= 1),
	-- the syslog host name of the rsyslog that relayed it (diagnostics)
	relay    text,
	received timestamptz NOT NULL DEFAULT now(),
	rec      jsonb  NOT NULL,
	-- exactly once: a resent record is the same identity
	CONSTRAINT mdevver_trace_records_identity UNIQUE (host_id, boot_id, run_id, seq)
);

-- report --db --since/--until, and its ORDER BY: the record's time
-- (RFC 3339 UTC text with 9 fraction digits: text order is time order)
CREATE INDEX IF NOT EXISTS mdevver_trace_records_time
	ON mdevver_trace_records ((rec->>'time'));

-- report --db --host: the record's "host" (with time, for a host's range)
CREATE INDEX IF NOT EXISTS mdevver_trace_records_host_time
	ON mdevver_trace_records ((rec->>'host'), (rec->>'time'));

-- ad-hoc containment queries an operator runs on the records, e.g. every
-- incompatible check of one type:
--   SELECT rec FROM mdevver_trace_records
--    WHERE rec @> '{"event":"check","outcome":"incompatible","mdev_type":"i915-GVTg_V5_4"}';
-- (jsonb_path_ops: smaller and faster than the default opclass for @>)
CREATE INDEX IF NOT EXISTS mdevver_trace_records_rec
	ON mdevver_trace_records USING gin (rec jsonb_path_ops);

-- gaps per run (docs/fleet.md): the identity's UNIQUE index serves
--   SELECT host_id, boot_id, run_id, max(seq) - count(*) AS missing
--     FROM mdevver_trace_records GROUP BY 1, 2, 3;
