-- rollback: DROP TABLE exchange_engine_log, exchange_leases; DROP FUNCTION exchange_engine_log_fenced() while no trade was made; once orders were accepted, forward-only
-- The matching engine's durable log and the lease that makes one replica the sequencer of a
-- symbol. Every accepted command and every event it caused is one row, numbered gap-free per
-- symbol; a crashed engine is rebuilt by replaying the commands in seq order.

CREATE TABLE exchange_leases (
  symbol text PRIMARY KEY,
  holder text NOT NULL,
  -- Grows by one at every change of holder: the token a leader stamps on each row it writes.
  fencing_token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE exchange_engine_log (
  symbol text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  fencing_token bigint NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, seq)
);

-- A row stamped with any token but the lease's current one comes from a stale leader: it is
-- refused here, under a share lock on the lease row, so a takeover (which updates that row)
-- and a stale append cannot interleave.
CREATE FUNCTION exchange_engine_log_fenced() RETURNS trigger AS $$
DECLARE
  current_token bigint;
BEGIN
  SELECT fencing_token INTO current_token FROM exchange_leases
    WHERE symbol = NEW.symbol FOR SHARE;
  IF current_token IS NULL OR current_token <> NEW.fencing_token THEN
    RAISE EXCEPTION 'FENCING_TOKEN: % holds token %, the append carried %',
      NEW.symbol, current_token, NEW.fencing_token
      USING ERRCODE = 'BW409';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER exchange_engine_log_fenced BEFORE INSERT ON exchange_engine_log
  FOR EACH ROW EXECUTE FUNCTION exchange_engine_log_fenced();

-- Deposits come from the outside world and withdrawals go back to it.
INSERT INTO accounts (name, type) VALUES ('exchange:external', 'external');
