-- rollback: DROP TABLE exchange_orders while no order was placed; once orders exist, forward-only
-- Every order the engine accepted, as its owner asks for it (GET /v1/orders/{id}): what it
-- asked for, what it held, and what became of it. The engine log stays the record; this is
-- its per-order view, written in the same transaction as the log rows.

CREATE TABLE exchange_orders (
  order_id uuid PRIMARY KEY,
  trader text NOT NULL,
  -- The caller's own id of the order: the idempotency key of POST /v1/orders.
  client_order_id text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL CHECK (side IN ('buy', 'sell')),
  type text NOT NULL CHECK (type IN ('limit', 'market')),
  price bigint,
  quantity bigint NOT NULL CHECK (quantity > 0),
  -- What was moved to exchange:<trader>:held when it was accepted, in held_asset.
  held bigint NOT NULL,
  held_asset text NOT NULL,
  filled bigint NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (trader, client_order_id)
);
