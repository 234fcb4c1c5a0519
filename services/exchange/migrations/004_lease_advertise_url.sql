-- rollback: ALTER TABLE exchange_leases DROP COLUMN advertise_url (replicas then answer 503 for symbols they do not sequence, as before forwarding)
-- Where the replica holding a symbol's lease is reached by the other replicas, so that they
-- forward the symbol's orders to it. The lease row stays the one source of who sequences a
-- symbol; NULL when the holder advertises no address (it is then not forwarded to).

ALTER TABLE exchange_leases ADD COLUMN advertise_url text;
