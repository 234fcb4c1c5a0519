-- forward-only: creates escrow's tables only; a release rolled back to before them leaves them in place (nothing older reads them), and dropping them would lose held funds and sealed credentials
-- Escrow (seed 004): a buyer pays for a listing, the money waits in platform:escrow:held while
-- the seller hands over the account's credentials, and is released to the seller or refunded
-- to the buyer. The state moves only along services/escrow/transaction-state.ts; the trigger
-- below refuses any other move, whoever writes the row (the runbook's SQL included).

CREATE TABLE listings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seller_id text NOT NULL,
  title text NOT NULL,
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  -- removed: the seller was at fault in a dispute (seed 004's decision matrix) or withdrew it.
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'sold', 'removed')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The buyer's Idempotency-Key: one transaction per request even if the kit's record is lost.
  reference text NOT NULL UNIQUE,
  listing_id uuid NOT NULL REFERENCES listings (id),
  buyer_id text NOT NULL,
  seller_id text NOT NULL CHECK (seller_id <> buyer_id),
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  -- The seed's monitoring queries read amount_usd: minor units of a USD listing as dollars.
  amount_usd numeric GENERATED ALWAYS AS (CASE WHEN currency = 'USD' THEN amount / 100.0 END) STORED,
  state text NOT NULL DEFAULT 'pending_payment'
    CHECK (state IN ('pending_payment', 'funds_held', 'contract_signed', 'disputed',
                     'released', 'refunded', 'cancelled')),
  -- The provider's payment reference the buyer pays under (Paystack's `reference`).
  payment_reference text NOT NULL UNIQUE,
  buyer_signed_at timestamptz,
  seller_signed_at timestamptz,
  funds_held_at timestamptz,
  contract_signed_at timestamptz,
  released_at timestamptz,
  refunded_at timestamptz,
  hold_transaction_id uuid REFERENCES ledger_transactions (id),
  final_transaction_id uuid REFERENCES ledger_transactions (id),
  -- The notes kept with a decision (seed 004: "log decision in transaction notes").
  notes jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transactions_open_idx ON transactions (created_at)
  WHERE state IN ('funds_held', 'contract_signed', 'disputed');
CREATE INDEX transactions_buyer_idx ON transactions (buyer_id, created_at);
CREATE INDEX transactions_seller_idx ON transactions (seller_id, created_at);
-- At most one live sale per listing: a second buyer waits until the first is cancelled.
CREATE UNIQUE INDEX transactions_one_live_per_listing ON transactions (listing_id)
  WHERE state NOT IN ('cancelled', 'refunded');

CREATE FUNCTION transactions_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = OLD.state THEN
    RETURN NEW;
  END IF;
  IF (OLD.state, NEW.state) NOT IN (
       ('pending_payment', 'funds_held'),
       ('pending_payment', 'cancelled'),
       ('funds_held', 'contract_signed'),
       ('funds_held', 'disputed'),
       ('funds_held', 'released'),
       ('funds_held', 'refunded'),
       ('contract_signed', 'disputed'),
       ('contract_signed', 'released'),
       ('contract_signed', 'refunded'),
       ('disputed', 'released'),
       ('disputed', 'refunded')) THEN
    RAISE EXCEPTION 'transaction %: transition % -> % is not allowed', OLD.id, OLD.state, NEW.state
      USING ERRCODE = 'check_violation';
  END IF;
  -- Money leaves the hold only with its posting: released and refunded need their entry.
  IF NEW.state IN ('released', 'refunded') AND NEW.final_transaction_id IS NULL THEN
    RAISE EXCEPTION 'transaction %: % needs the ledger transaction that moved the funds', OLD.id, NEW.state
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.state = 'funds_held' AND NEW.hold_transaction_id IS NULL THEN
    RAISE EXCEPTION 'transaction %: funds_held needs the ledger transaction that holds them', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER transactions_transition
  BEFORE UPDATE OF state ON transactions
  FOR EACH ROW EXECUTE FUNCTION transactions_check_transition();

-- Every webhook the payment provider sent, as received, verified or not recorded: a delivery
-- with a bad signature is refused before it is stored. (event, reference) is the delivery's
-- identity; its payload hash tells a replay from drift.
CREATE TABLE payment_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider text NOT NULL DEFAULT 'paystack',
  event text NOT NULL,
  reference text NOT NULL,
  payload jsonb NOT NULL,
  payload_sha256 text NOT NULL,
  transaction_id uuid REFERENCES transactions (id),
  -- What the delivery did: applied, ignored (nothing to do), refused (e.g. amount mismatch).
  outcome text NOT NULL CHECK (outcome IN ('applied', 'ignored', 'refused')),
  detail text,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, event, reference)
);

-- The seller's credentials for a listing, sealed (services/escrow/credential-vault.ts). The
-- key is derived from the pepper (outside the database) and the row's salt; without the
-- pepper the ciphertext cannot be opened.
CREATE TABLE credential_vaults (
  listing_id uuid PRIMARY KEY REFERENCES listings (id),
  algorithm text NOT NULL,
  kdf jsonb NOT NULL,
  salt bytea NOT NULL,
  nonce bytea NOT NULL,
  ciphertext bytea NOT NULL,
  -- The first reveal (the seed's triage query); every reveal is in credential_reveals.
  revealed_at timestamptz,
  revealed_to_user_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credential_reveals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  listing_id uuid NOT NULL REFERENCES credential_vaults (listing_id),
  transaction_id uuid NOT NULL REFERENCES transactions (id),
  revealed_to_user_id text NOT NULL,
  revealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credential_reveals_transaction_idx ON credential_reveals (transaction_id);

-- Disputes: opened by either party while funds are held, decided with seed 004's matrix.
CREATE TABLE disputes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transaction_id uuid NOT NULL REFERENCES transactions (id),
  opened_by text NOT NULL,
  reason text NOT NULL,
  -- [{by, kind, text, at}] in order.
  evidence jsonb NOT NULL DEFAULT '[]'::jsonb,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'decided')),
  decision text CHECK (decision IN ('buyer_at_fault', 'seller_at_fault', 'platform_issue', 'unclear')),
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One dispute open at a time per transaction.
CREATE UNIQUE INDEX disputes_one_open ON disputes (transaction_id) WHERE status <> 'decided';

-- Payouts of released funds to sellers through the payment provider (a transfer).
CREATE TABLE escrow_payouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transaction_id uuid NOT NULL UNIQUE REFERENCES transactions (id),
  account text NOT NULL REFERENCES accounts (name),
  currency text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sending', 'manual_review', 'settled', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  provider_transfer_id text,
  last_error text,
  reserve_transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  final_transaction_id uuid REFERENCES ledger_transactions (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escrow_payouts_due_idx ON escrow_payouts (next_attempt_at) WHERE status = 'queued';

-- Buyers pay in from the provider (external: the outside world); held funds wait in
-- platform:escrow:held; payouts wait in platform:escrow:payouts-in-flight until the provider
-- confirms the transfer.
-- platform:escrow:compensation pays what a dispute decided as a platform issue adds to the
-- refund (external: the platform's own money, booked as an expense).
INSERT INTO accounts (name, type) VALUES
  ('platform:paystack:clearing', 'external'),
  ('platform:escrow:compensation', 'external'),
  ('platform:escrow:held', 'platform'),
  ('platform:escrow:payouts-in-flight', 'platform');
