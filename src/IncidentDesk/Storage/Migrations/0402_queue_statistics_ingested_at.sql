-- The SLA cycle reads queue statistics windows changed since its mark (phone_service_level counts them),
-- as it reads contacts by ingested_at.
CREATE INDEX queue_statistics_ingested_at ON queue_statistics (ingested_at);
