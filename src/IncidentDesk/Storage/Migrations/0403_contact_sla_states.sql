-- SLA verdicts a source reports apart from its records (Zendesk's ticket metric events: breach, pause, ...).
-- Kept here by (source, external_id) because an event can arrive before its ticket; the contacts upsert
-- takes these values where the record itself says nothing, and a new verdict is copied onto the contact.
CREATE TABLE contact_sla_states (
    source      text        NOT NULL,
    external_id text        NOT NULL,
    breached    boolean,
    paused      boolean,
    -- time of the newest event folded in
    event_at    timestamptz NOT NULL,
    ingested_at timestamptz NOT NULL,
    PRIMARY KEY (source, external_id)
);
