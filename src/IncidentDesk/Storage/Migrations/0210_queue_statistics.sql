-- Telephony queue statistics per window, as the telephony platform aggregates them (Twilio TaskRouter
-- CumulativeStatistics of one TaskQueue over [window_start, window_end)). The Calls list does not say
-- how long a caller waited for an agent; these do ("answered within N s" from split_by_wait_time).
-- Counts and durations only: no call sids, no phone numbers. Written only by Ticketing/ContactStore,
-- in the same transaction as the reader's cursor.
CREATE TABLE queue_statistics (
    -- twilio (the source label, as in contacts.source)
    source                      text        NOT NULL,
    -- the TaskRouter queue sid (WQ…)
    queue_sid                   text        NOT NULL,
    window_start                timestamptz NOT NULL,
    window_end                  timestamptz NOT NULL CHECK (window_end > window_start),
    tasks_entered               integer     NOT NULL,
    -- callers who hung up (or whose task was canceled) before an agent accepted: abandoned
    tasks_canceled              integer     NOT NULL,
    reservations_accepted       integer     NOT NULL,
    -- wait_duration_until_accepted, seconds
    wait_avg_seconds            double precision,
    wait_max_seconds            double precision,
    wait_total_seconds          double precision,
    -- split_by_wait_time as the source gives it, e.g. {"20": {"below": {"reservations_accepted": 8, "tasks_canceled": 1}, "above": {…}}}
    split_by_wait_time          jsonb       NOT NULL DEFAULT '{}',
    ingested_at                 timestamptz NOT NULL,
    PRIMARY KEY (source, queue_sid, window_start)
);
CREATE INDEX queue_statistics_window_start ON queue_statistics (window_start);
