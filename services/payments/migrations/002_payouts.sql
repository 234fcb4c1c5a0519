-- forward-only: creates payouts and deposits only; a release rolled back to before them leaves them in place (nothing older reads them), and dropping them would lose payouts in flight
-- Payouts: funds reserved in platform:payouts:in-flight, then sent to the PSP by the payout
-- worker. The status moves only along the state machine in services/payments/payout-state.ts;
-- the trigger below refuses any other move, whoever writes the row.

CREATE TABLE payouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The caller's Idempotency-Key (or a fresh id): one payout per request, even when the
  -- idempotency record was lost after the payout committed.
  reference text NOT NULL UNIQUE,
  account text NOT NULL REFERENCES accounts (name),
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  -- Where the PSP pays the money to (an IBAN, a card token...), opaque to the ledger.
  destination text NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sending', 'manual_review', 'settled', 'refunded')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- While status = 'sending': until when the claiming worker owns the send. A worker that
  -- died mid-send leaves a lease that expires; the send is then retried with the same PSP
  -- idempotency reference, which is safe.
  lease_until timestamptz,
  psp_payout_id text,
  last_error text,
  reserve_transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  final_transaction_id uuid REFERENCES ledger_transactions (id),
  resolution jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payouts_due_idx ON payouts (next_attempt_at) WHERE status = 'queued';
CREATE INDEX payouts_sending_idx ON payouts (lease_until) WHERE status = 'sending';
CREATE INDEX payouts_manual_review_idx ON payouts (created_at, id) WHERE status = 'manual_review';

CREATE FUNCTION payouts_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  IF (OLD.status, NEW.status) NOT IN (
       ('queued', 'sending'),
       ('sending', 'queued'),
       ('sending', 'settled'),
       ('sending', 'refunded'),
       ('sending', 'manual_review'),
       ('manual_review', 'settled'),
       ('manual_review', 'refunded')) THEN
    RAISE EXCEPTION 'payout %: transition % -> % is not allowed', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER payouts_transition
  BEFORE UPDATE OF status ON payouts
  FOR EACH ROW EXECUTE FUNCTION payouts_check_transition();

-- Deposits announced by the PSP's webhook. The reference is the PSP's; the payload hash
-- tells a replay (same payload: answer the stored result) from drift (409).
CREATE TABLE deposits (
  reference text PRIMARY KEY,
  payload_sha256 text NOT NULL,
  account text NOT NULL REFERENCES accounts (name),
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
