-- forward-only: creates the status page's table only; nothing older reads it, and dropping it would lose the incident history
-- One incident per control that was published: opened when the status page first saw it in
-- force, resolved when it no longer was. The history customers read.
CREATE TABLE status_incidents (
  -- The control resource's uid: every replica records the same incident once.
  uid text PRIMARY KEY,
  kind text NOT NULL,
  namespace text NOT NULL,
  name text NOT NULL,
  title text NOT NULL,
  -- What customers are told (spec.publicMessage or the kind's default).
  message text NOT NULL,
  -- The worst status it gives a component: degraded_performance, partial_outage, major_outage.
  impact text NOT NULL,
  -- [{"id": "payouts:btc", "name": "Payouts in BTC", "status": "major_outage"}]
  components jsonb NOT NULL CHECK (jsonb_typeof(components) = 'array'),
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);

CREATE INDEX status_incidents_open ON status_incidents (started_at) WHERE resolved_at IS NULL;
CREATE INDEX status_incidents_recent ON status_incidents (started_at DESC);
