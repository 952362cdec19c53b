-- Paging: the durable outbox of pages and the escalation state of each unacknowledged incident.
--
-- One row per page = (incident, person, channel, attempt). The idempotency key is unique, so the
-- listener, the escalation job and a retaken claim can all insert "the same page" and only one row
-- exists. Senders claim due rows with FOR UPDATE SKIP LOCKED and a lease (claimed_until): a node
-- that dies holding a claim loses it when the lease runs out, and the next node retakes the row.
CREATE TABLE pages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id     bigint      NOT NULL REFERENCES incidents (id),
    kind            text        NOT NULL DEFAULT 'page' CHECK (kind IN ('page', 'ack-notice')),
    person          text        NOT NULL,
    channel         text        NOT NULL CHECK (channel IN ('slack', 'email')),
    attempt         int         NOT NULL,
    level           int         NOT NULL,
    idempotency_key text        NOT NULL UNIQUE,
    address         text        NOT NULL,
    -- a copy of what the page says, so the sender never reads another capability's tables.
    person_name     text        NOT NULL,
    title           text        NOT NULL,
    severity        text        NOT NULL,
    summary         text,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'cancelled')),
    created_at      timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    tries           int         NOT NULL DEFAULT 0,
    failures        int         NOT NULL DEFAULT 0,
    -- true while a claim is out and its outcome unknown: the next claimer must look before re-sending.
    in_doubt        boolean     NOT NULL DEFAULT false,
    claimed_by      text,
    claimed_until   timestamptz,
    sent_at         timestamptz,
    last_error      text,
    -- where Slack put the message (chat.update after an acknowledgment needs both).
    slack_channel   text,
    slack_ts        text,
    fallback_of     bigint REFERENCES pages (id)
);
CREATE INDEX pages_due ON pages (due_at) WHERE status = 'pending';
CREATE INDEX pages_incident ON pages (incident_id, id);

-- One row per incident that is (or was) being escalated. The row is the truth; the Quartz trigger
-- only wakes the job, which re-reads this row and the incident before doing anything.
CREATE TABLE escalations (
    incident_id      bigint      PRIMARY KEY REFERENCES incidents (id),
    level            int         NOT NULL,
    attempt          int         NOT NULL,
    level_started_at timestamptz NOT NULL,
    next_at          timestamptz NOT NULL,
    stopped_at       timestamptz
);
CREATE INDEX escalations_active ON escalations (next_at) WHERE stopped_at IS NULL;
