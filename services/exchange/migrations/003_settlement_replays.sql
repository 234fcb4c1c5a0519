-- rollback: DROP TABLE exchange_settlement_replays (only the record of past replays goes; the ledger keeps their postings)
-- The record of each settlement replay run through the admin API (the SettlementReplay
-- control): what it was asked and what it did, keyed by the control's reference, so asking
-- again answers the first run. The postings themselves are on the ledger.

CREATE TABLE exchange_settlement_replays (
  reference text PRIMARY KEY,
  request jsonb NOT NULL,
  actor text NOT NULL,
  reason text NOT NULL,
  ticket text NOT NULL,
  records_read integer NOT NULL CHECK (records_read >= 0),
  already_settled integer NOT NULL CHECK (already_settled >= 0),
  newly_posted integer NOT NULL CHECK (newly_posted >= 0),
  conflicts integer NOT NULL CHECK (conflicts >= 0),
  partitions jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
