-- Who changed what through the API, and when. Written in the same request that made the change;
-- append-only by convention (no UPDATE/DELETE anywhere in the code), kept for the data-access
-- logging the handbook asks for.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    role        text        NOT NULL,
    method      text        NOT NULL,
    path        text        NOT NULL,
    status      int         NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
