-- forward-only: creates the ledger's tables only; a release rolled back to before them leaves them in place (nothing older reads them), and dropping them would lose money movements
-- Accounts and the double-entry ledger, shared by every service that moves money (applied
-- with scope "ledger" when its definition says `ledger: true`). Amounts are integer minor
-- units with the currency beside them. Entries are immutable; a mistake is fixed by a new,
-- correcting transaction.

CREATE TABLE accounts (
  -- The account's address, namespaced with colons: users:42:wallet, platform:psp:clearing.
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9_-]+(:[a-z0-9_-]+)+$' AND length(name) <= 200),
  -- user and platform accounts never go below zero; external accounts stand for the outside
  -- world (a PSP, a provider) and may.
  type text NOT NULL CHECK (type IN ('user', 'platform', 'external')),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One balance per account and currency: a cache of the sum of the account's entries, kept in
-- the same transaction as the entries and checked by the reconciliation worker. The row is
-- also what a posting locks, so two postings on one account serialize.
CREATE TABLE balances (
  account text NOT NULL REFERENCES accounts (name),
  currency text NOT NULL CHECK (currency ~ '^[A-Z][A-Z0-9]{2,9}$'),
  amount bigint NOT NULL DEFAULT 0,
  allow_negative boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, currency),
  -- The last line of defence: the code checks under the row lock first.
  CONSTRAINT balances_never_negative CHECK (allow_negative OR amount >= 0)
);

CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- What caused it: transfer, deposit, payout_reserve, purchase_capture, correction...
  kind text NOT NULL,
  -- What caused the transaction (transfer:<id>, payout:<id>:settle, purchase:<id>:reserve);
  -- unique so that a cause can post at most once.
  reference text NOT NULL UNIQUE,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  account text NOT NULL,
  currency text NOT NULL,
  -- Signed: negative leaves the account, positive arrives.
  amount bigint NOT NULL CHECK (amount <> 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account, currency) REFERENCES balances (account, currency)
);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, currency, id);

-- Every transaction's entries sum to zero per currency, checked at commit so that the
-- entries of one transaction can be inserted one by one.
CREATE FUNCTION ledger_check_transaction_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT currency, sum(amount) AS total INTO unbalanced
    FROM ledger_entries
   WHERE transaction_id = NEW.transaction_id
   GROUP BY currency
  HAVING sum(amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %: entries sum to %',
      NEW.transaction_id, unbalanced.currency, unbalanced.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced
  AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();

-- Entries and transactions are written once and never changed.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused; post a correcting transaction instead',
    TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_immutable
  BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate
  BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_immutable
  BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate
  BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
