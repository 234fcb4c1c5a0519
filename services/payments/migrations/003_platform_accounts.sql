-- rollback: DELETE FROM accounts WHERE name IN ('platform:psp:clearing', 'platform:payouts:in-flight') while no ledger entry names them; once money moved through them, forward-only
-- The accounts payments moves money through: the PSP's side (external) and the reserved
-- payout funds. The ledger's tables come from the kit (services/kit/ledger/migrations).
INSERT INTO accounts (name, type) VALUES
  ('platform:psp:clearing', 'external'),
  ('platform:payouts:in-flight', 'platform');
