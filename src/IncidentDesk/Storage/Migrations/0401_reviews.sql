-- Post-incident reviews. The generated parts (timeline, durations, impact) are computed from the
-- timeline and the step rows whenever the review is read; only what people write is stored here.
CREATE TABLE incident_reviews (
    incident_id     bigint      PRIMARY KEY REFERENCES incidents (id),
    opened_at       timestamptz NOT NULL,
    summary         text,
    -- the 5 whys, in order
    whys            text[]      NOT NULL DEFAULT '{}',
    root_cause      text,
    lessons_learned text,
    knowledge_base  text,
    updated_at      timestamptz NOT NULL,
    updated_by      text,
    published_at    timestamptz,
    published_by    text
);

-- Action items: tracked until done; the overdue report lists those past their due date.
CREATE TABLE review_action_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incident_reviews (incident_id),
    title       text        NOT NULL,
    owner       text        NOT NULL,
    due_date    date        NOT NULL,
    created_at  timestamptz NOT NULL,
    done_at     timestamptz,
    done_by     text
);
CREATE INDEX review_action_items_open ON review_action_items (due_date) WHERE done_at IS NULL;
