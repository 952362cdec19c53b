-- SLA evaluation (Sla/). Written only by Sla/SlaStore; read by the metrics refresh, analyze coverage and reviews.

-- Business-hours calendars turned into instants: one row per open interval (holidays already left out,
-- DST already applied by the C# calendar). cum_seconds is the business time in the calendar's intervals
-- before starts_at, so "business seconds between a and b" is clock(b) - clock(a): two index lookups per
-- contact instead of walking days in SQL. Regenerated whole when the calendar changes or its coverage
-- (covers_from..covers_to) no longer spans what the rules read.
CREATE TABLE sla_calendars (
    name        text        PRIMARY KEY,
    fingerprint text        NOT NULL,
    covers_from timestamptz NOT NULL,
    covers_to   timestamptz NOT NULL
);
CREATE TABLE sla_business_intervals (
    calendar    text             NOT NULL REFERENCES sla_calendars (name) ON DELETE CASCADE,
    starts_at   timestamptz      NOT NULL,
    ends_at     timestamptz      NOT NULL,
    cum_seconds double precision NOT NULL,
    PRIMARY KEY (calendar, starts_at)
);

-- Business seconds from the start of the calendar's coverage to p_at. These functions are deliberately
-- not STRICT: a non-strict single-SELECT SQL function is inlined into the calling query (its lookups become
-- index subplans), which measured 7× faster than calling it per row (1M-contact benchmark).
CREATE FUNCTION sla_business_clock(p_calendar text, p_at timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((
        SELECT i.cum_seconds + least(extract(epoch FROM p_at - i.starts_at), extract(epoch FROM i.ends_at - i.starts_at))::double precision
        FROM sla_business_intervals i
        WHERE i.calendar = p_calendar AND i.starts_at <= p_at
        ORDER BY i.starts_at DESC
        LIMIT 1), 0)
$$;

CREATE FUNCTION sla_business_seconds(p_calendar text, p_from timestamptz, p_to timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_from IS NULL OR p_to IS NULL THEN NULL
                ELSE greatest(0, sla_business_clock(p_calendar, p_to) - sla_business_clock(p_calendar, p_from)) END
$$;

CREATE FUNCTION sla_in_business_hours(p_calendar text, p_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((
        SELECT p_at < i.ends_at
        FROM sla_business_intervals i
        WHERE i.calendar = p_calendar AND i.starts_at <= p_at
        ORDER BY i.starts_at DESC
        LIMIT 1), false)
$$;

-- 5-minute rollups per rule: samples / hits / extra (what each counts depends on the rule kind, see
-- Sla/SlaQueries.cs). A window sums its whole buckets from here and reads only its two partial edge
-- buckets from contacts, so a 7-day window costs ~2,000 rollup rows per channel (one index range read)
-- instead of a scan of 7 days of contacts. A bucket is recomputed whole when a contact in it changes
-- (contacts.ingested_at moves on every change), and a rule is rebuilt when its fingerprint (definition +
-- calendar) changes.
CREATE TABLE sla_rollups (
    rule     text        NOT NULL,
    bucket   timestamptz NOT NULL,
    channel  text        NOT NULL,
    samples  bigint      NOT NULL,
    hits     bigint      NOT NULL,
    extra    bigint      NOT NULL,
    PRIMARY KEY (rule, bucket, channel)
);
CREATE TABLE sla_rollup_state (
    rule        text        PRIMARY KEY,
    fingerprint text        NOT NULL,
    built_at    timestamptz NOT NULL
);
-- How far the rollups have read contacts and ratings (by ingested_at; data-driven, never the clock).
CREATE TABLE sla_watermarks (
    name  text        PRIMARY KEY,
    value timestamptz NOT NULL
);
-- What changed since the watermark: the only scan the incremental path makes.
CREATE INDEX contacts_ingested_at ON contacts (ingested_at);
CREATE INDEX contact_ratings_ingested_at ON contact_ratings (ingested_at);

-- Every evaluation, for trends and reviews. value and target are in the rule's own terms (for at_most
-- kinds, the share that must stay below the target); detail carries kind-specific figures (previous
-- CSAT window, abandonment rate, the 24/7 decision).
CREATE TABLE sla_results (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule         text             NOT NULL,
    kind         text             NOT NULL,
    channel      text             NOT NULL,
    scope        text             NOT NULL,
    window_start timestamptz      NOT NULL,
    window_end   timestamptz      NOT NULL,
    value        double precision,
    target       double precision NOT NULL,
    direction    text             NOT NULL CHECK (direction IN ('at_least', 'at_most')),
    samples      bigint           NOT NULL,
    status       text             NOT NULL CHECK (status IN ('ok', 'breached', 'insufficient_data')),
    detail       jsonb            NOT NULL DEFAULT '{}'
);
CREATE INDEX sla_results_rule_window ON sla_results (rule, channel, window_end DESC);
CREATE INDEX sla_results_window_end ON sla_results (window_end);

-- The latest result per rule and channel plus the breach episode: read at every /metrics scrape on every
-- node (small), and by the breach/recovery logic. incident_raised is set only after IncidentService
-- accepted the signal, so a crash in between repeats the (deduplicated) signal rather than losing it.
CREATE TABLE sla_rule_state (
    rule            text             NOT NULL,
    channel         text             NOT NULL,
    kind            text             NOT NULL,
    value           double precision,
    target          double precision NOT NULL,
    direction       text             NOT NULL,
    samples         bigint           NOT NULL,
    status          text             NOT NULL,
    window_end      timestamptz      NOT NULL,
    detail          jsonb            NOT NULL DEFAULT '{}',
    breached_since  timestamptz,
    ok_since        timestamptz,
    incident_raised boolean          NOT NULL DEFAULT false,
    PRIMARY KEY (rule, channel)
);

-- Contacts whose first response the incidentdesk_first_response_seconds histogram has observed: the
-- insert claims a contact, so across the cluster and across overlapping scans each is observed once.
-- Pruned after a day (first responses older than that when first seen are not observed: a backfill).
CREATE TABLE sla_first_responses_observed (
    contact_id        bigint      PRIMARY KEY,
    first_response_at timestamptz NOT NULL
);
CREATE INDEX sla_first_responses_observed_at ON sla_first_responses_observed (first_response_at);
