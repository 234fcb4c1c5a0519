-- rollback: DROP TABLE edge_api_keys; every issued API key stops working
-- The API keys of order entry. A key's signing secret is never stored: it is derived from
-- the edge's master key (EDGE_API_KEY_MASTER) and the key id whenever a request is checked,
-- and only its SHA-256 digest is kept, to tell a key issued under another master from a
-- valid one. A rotated key stays valid until expires_at, so two keys work during a rotation.
CREATE TABLE edge_api_keys (
  key_id text PRIMARY KEY,
  trader text NOT NULL,
  secret_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  replaced_by text
);

CREATE INDEX edge_api_keys_trader ON edge_api_keys (trader);
