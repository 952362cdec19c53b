-- Contacts: every ticket and every call the desk handled, normalized across the ticketing systems and
-- telephony, so that the SLA rules (Sla/) read one table whatever the source. Data minimisation
-- (handbook, DOMAIN.md): ids, times and classifications only; no subjects, bodies, customer names,
-- e-mail addresses or phone numbers. Written only by Ticketing/ContactStore.
CREATE TABLE contacts (
    id                              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- zendesk, jira, freshdesk, otrs, twilio, asterisk, simulated
    source                          text        NOT NULL,
    -- the source's own id (ticket id, issue key, call sid, queue_log call id), unique per source
    external_id                     text        NOT NULL,
    kind                            text        NOT NULL CHECK (kind IN ('ticket', 'call')),
    -- messenger:<name> is open-ended so that a mapping can add a messenger without a migration
    channel                         text        NOT NULL
        CHECK (channel IN ('email', 'web', 'chat', 'phone', 'social', 'api', 'other') OR channel ~ '^messenger:[a-z0-9_-]+$'),
    -- the handbook's ticket template scale; a source's "urgent" maps to critical, "normal" to medium.
    -- NULL for calls and for tickets whose source has no priority.
    priority                        text        CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status                          text        NOT NULL
        CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    -- group / queue / project the contact sits in (an id or a name, never a person)
    queue                           text,
    created_at                      timestamptz NOT NULL,
    first_response_at               timestamptz,
    solved_at                       timestamptz,
    -- calendar seconds to first response, derived so that every reader computes it the same way
    first_response_seconds          integer GENERATED ALWAYS AS (extract(epoch FROM first_response_at - created_at)::integer) STORED,
    -- only where the source computes it against its business-hours calendar (Zendesk, OTRS, Jira SLA)
    first_response_business_seconds integer,
    -- time the source reports as paused / on hold (Zendesk on_hold_time), where it reports it
    on_hold_seconds                 integer,
    -- the source's own SLA verdict, where it has one (NULL = the source says nothing)
    sla_breached                    boolean,
    sla_paused                      boolean,
    sla_remaining_seconds           integer,
    escalated_to_tech               boolean     NOT NULL DEFAULT false,
    -- escalated because of an agent error: from the tag/field mapping in the source's configuration
    escalated_agent_error           boolean     NOT NULL DEFAULT false,
    -- calls only: seconds in the queue before the answer or the hang-up, talk time, outcome, agent id
    wait_seconds                    integer,
    talk_seconds                    integer,
    answered                        boolean,
    abandoned                       boolean,
    agent                           text,
    -- the source's last-change time of this record; an older re-read never overwrites a newer row
    source_updated_at               timestamptz NOT NULL,
    ingested_at                     timestamptz NOT NULL,
    CONSTRAINT contacts_source_external_id UNIQUE (source, external_id)
);
-- SLA windows: "contacts created in [from, to)" overall and per channel.
CREATE INDEX contacts_created_at ON contacts (created_at);
CREATE INDEX contacts_channel_created_at ON contacts (channel, created_at);
-- Open tickets still waiting for a first response (the rules that fire before a ticket is answered).
CREATE INDEX contacts_awaiting_first_response ON contacts (created_at) WHERE first_response_at IS NULL AND kind = 'ticket';

-- CSAT: one rating per contact (the latest the source reports). A separate table because ratings come
-- from their own endpoints and may arrive before the ticket row does; joined on (source, external_id).
CREATE TABLE contact_ratings (
    source              text        NOT NULL,
    external_id         text        NOT NULL,
    rating              text        NOT NULL CHECK (rating IN ('good', 'bad')),
    rated_at            timestamptz NOT NULL,
    ingested_at         timestamptz NOT NULL,
    PRIMARY KEY (source, external_id)
);
CREATE INDEX contact_ratings_rated_at ON contact_ratings (rated_at);

-- Where each poller stands. The cursor is written in the same transaction as the rows it produced,
-- so a crash between fetch and commit re-reads the page instead of skipping it. Health columns are
-- written separately (after each poll) and drive the "source down" incident.
CREATE TABLE ingestion_sources (
    source              text        PRIMARY KEY,
    cursor              text,
    cursor_updated_at   timestamptz,
    last_success_at     timestamptz,
    failing_since       timestamptz,
    last_error          text,
    down_reported       boolean     NOT NULL DEFAULT false
);
