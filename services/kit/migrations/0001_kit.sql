-- forward-only: creates the kit's tables only; code released before them never reads them, so a rollback leaves them in place, and dropping the append-only audit log would destroy evidence
-- The kit's tables, shared by every service: append-only audit log, transactional outbox,
-- processed messages of idempotent consumers, idempotency keys, and controls.

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  reason text,
  ticket text,
  before jsonb,
  after jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  topic text NOT NULL,
  key text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  retry_count integer NOT NULL DEFAULT 0,
  last_error text,
  published_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (topic, key, id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_order ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE processed_messages (
  consumer text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  locked_until timestamptz NOT NULL,
  response_status integer,
  response_headers jsonb,
  response_body bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (scope, key)
);

CREATE TABLE control_versions (
  service text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0
);

CREATE TABLE controls (
  service text NOT NULL,
  id text NOT NULL,
  kind text NOT NULL,
  spec jsonb NOT NULL,
  source jsonb NOT NULL DEFAULT '{}',
  reason text NOT NULL,
  ticket text NOT NULL,
  actor text NOT NULL,
  expires_at timestamptz,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, id)
);
