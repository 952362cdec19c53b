-- Incidents: one problem = one open incident. A repeat signal with the same dedup_key adds to the
-- timeline of the open incident instead of opening a second one; the partial unique index is what
-- makes that true under concurrency (two nodes receiving the same alert at once).
CREATE TABLE incidents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedup_key       text        NOT NULL,
    source          text        NOT NULL,
    title           text        NOT NULL,
    severity        text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status          text        NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'mitigating', 'resolved', 'reviewed')),
    summary         text,
    labels          jsonb       NOT NULL DEFAULT '{}',
    opened_at       timestamptz NOT NULL,
    last_signal_at  timestamptz NOT NULL,
    signal_count    int         NOT NULL DEFAULT 1,
    acknowledged_at timestamptz,
    acknowledged_by text,
    resolved_at     timestamptz,
    resolved_by     text
);
CREATE UNIQUE INDEX incidents_one_open_per_key ON incidents (dedup_key)
    WHERE status IN ('triggered', 'acknowledged', 'mitigating');
CREATE INDEX incidents_status ON incidents (status, opened_at DESC);

-- The append-only timeline: every signal, transition and step, with who and when.
CREATE TABLE incident_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents (id),
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    kind        text        NOT NULL,
    message     text        NOT NULL,
    data        jsonb
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
