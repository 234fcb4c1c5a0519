-- rollback: DROP TABLE escrow_accounts while no one has registered; once accounts exist, forward-only (dropping it locks every user out)
-- Escrow's own users (seed 004: login with a password, then an OTP). The password is kept
-- only as its scrypt hash; the TOTP secret only sealed by the credential vault (so the
-- database alone cannot mint codes). Repeated failures lock the account for a while.
CREATE TABLE escrow_accounts (
  user_id text PRIMARY KEY CHECK (user_id ~ '^[a-z0-9_-]{1,64}$'),
  password_hash text NOT NULL,
  otp_sealed jsonb NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
