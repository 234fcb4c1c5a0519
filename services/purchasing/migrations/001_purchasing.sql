-- forward-only: creates purchasing's tables only; a release rolled back to before them leaves them in place (nothing older reads them), and dropping them would lose purchases
-- Purchasing: providers that sell the items, and purchases paid from wallets on the kit's
-- ledger (reserved when a purchase starts, captured on success, released on failure).

-- The providers a purchase can be routed to. `is_active` is the runbook's emergency switch:
--   UPDATE "providers" SET "is_active" = false WHERE "name" = 'bad_provider';
-- every replica re-reads this table every PROVIDERS_RELOAD_MS.
CREATE TABLE providers (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  is_active boolean NOT NULL DEFAULT true,
  -- Lower goes first; the router fails over in this order.
  priority integer NOT NULL DEFAULT 100,
  -- {"url": "https://...", "timeoutMs": 5000}
  settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The caller's Idempotency-Key: one purchase per request even if the kit's record is lost.
  reference text NOT NULL UNIQUE,
  account text NOT NULL REFERENCES accounts (name),
  item text NOT NULL,
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
  -- The provider last asked (set before each call, so a crash leaves who to ask).
  provider text,
  provider_order_id text,
  -- [{provider, outcome, detail, at}] in order.
  attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
  failure_reason text,
  -- A purchase still pending after this is stuck: the reconciliation worker resolves it.
  deadline_at timestamptz NOT NULL,
  reserve_transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  final_transaction_id uuid REFERENCES ledger_transactions (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchases_pending_idx ON purchases (deadline_at) WHERE status = 'pending';

-- A purchase leaves pending once, to one end; nothing moves it back.
CREATE FUNCTION purchases_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> OLD.status AND OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'purchase %: transition % -> % is not allowed', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER purchases_transition
  BEFORE UPDATE OF status ON purchases
  FOR EACH ROW EXECUTE FUNCTION purchases_check_transition();

-- Reserved purchase funds wait in platform:purchases:reserved; captured funds go to the
-- providers (external: what we owe them leaves the platform); wallets are credited from
-- platform:wallets:funding (external: money paid in from outside).
INSERT INTO accounts (name, type) VALUES
  ('platform:purchases:reserved', 'platform'),
  ('platform:providers:settlement', 'external'),
  ('platform:wallets:funding', 'external');
