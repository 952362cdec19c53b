-- Runbook steps: one row per step of the runbook an incident got when it opened. The rows are written
-- in the incident's own transaction (Runbooks/RunbookListener), so an incident never exists without its
-- steps. They are also the durable work queue of the automated steps: DriveRunbooksJob picks the rows
-- whose next_attempt_at has come, and a crash at any point leaves a row that the next run picks up again.
CREATE TABLE runbook_steps (
    incident_id      bigint      NOT NULL REFERENCES incidents (id),
    step_id          text        NOT NULL,
    position         int         NOT NULL,
    runbook          text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('acknowledge', 'communicate', 'escalate', 'rollback', 'manual', 'review')),
    owner_role       text        NOT NULL,
    -- ids of the steps that must be done first (automated steps wait for them)
    after_steps      text[]      NOT NULL DEFAULT '{}',
    -- pending → running → done; retrying after a failed attempt; reversed for an undone rollback
    status           text        NOT NULL CHECK (status IN ('pending', 'running', 'retrying', 'done', 'reversed')),
    -- NULL for the review step until the incident is resolved: its deadline counts from resolution
    due_at           timestamptz,
    next_attempt_at  timestamptz,
    attempts         int         NOT NULL DEFAULT 0,
    last_error       text,
    overdue_paged_at timestamptz,
    completed_at     timestamptz,
    completed_by     text,
    -- what an automated step learnt (Jira key, previous flag state, ...); never a customer's address
    result           jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (incident_id, step_id)
);
-- The driver's two questions: which automated steps are ready, which deadlines have passed.
CREATE INDEX runbook_steps_open ON runbook_steps (next_attempt_at) WHERE status IN ('pending', 'running', 'retrying');

-- One row per customer notice per affected ticket, channel and ETA version. Written BEFORE the send
-- (state 'sending') and marked 'sent' after: a retry that finds 'sending' knows a send may have happened.
-- The key is the ticket, not the person: addresses are looked up at send time and never stored.
CREATE TABLE runbook_notices (
    incident_id  bigint      NOT NULL REFERENCES incidents (id),
    step_id      text        NOT NULL,
    ticket_id    text        NOT NULL,
    channel      text        NOT NULL CHECK (channel IN ('email', 'comment')),
    eta_version  int         NOT NULL,
    -- the Message-ID of the mail / the reference line of the comment: the idempotency key
    message_key  text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('sending', 'sent', 'uncertain', 'no-address')),
    language     text,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (incident_id, step_id, ticket_id, channel, eta_version)
);

-- The expected recovery time announced to customers; a change bumps the version and re-announces it.
CREATE TABLE incident_etas (
    incident_id bigint      PRIMARY KEY REFERENCES incidents (id),
    eta         timestamptz NOT NULL,
    version     int         NOT NULL,
    set_by      text        NOT NULL,
    set_at      timestamptz NOT NULL
);
