-- rollback: DROP TABLE webhook_attempts, webhook_events (only the record of deliveries goes; deposits and the ledger keep every credit)
-- The PSP's webhook deliveries (the handbook's "retries queue"). An event is one signed
-- payload for one reference, kept byte for byte so a replay re-processes exactly what the PSP
-- sent; the PSP resending it is another attempt of the same event, a changed payload for the
-- same reference is another event (which fails with webhook/reference-mismatch).
CREATE TABLE webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('deposit')),
  reference text NOT NULL,
  payload_sha256 text NOT NULL,
  payload bytea NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  received_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, reference, payload_sha256)
);

CREATE INDEX webhook_events_by_status ON webhook_events (status, received_at);

-- Every processing attempt: a delivery by the PSP, or a replay by a person or a WebhookReplay
-- control. A replay's reference (the control's uid) names its run: a repeat answers it.
CREATE TABLE webhook_attempts (
  event_id uuid NOT NULL REFERENCES webhook_events (id),
  attempt integer NOT NULL,
  source text NOT NULL CHECK (source IN ('delivery', 'replay')),
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  error text,
  replay_reference text UNIQUE,
  actor text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, attempt)
);
