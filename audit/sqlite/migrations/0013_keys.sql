-- Each account's signing keys (audit/signing): the public half, the private
-- half sealed with the account's password, and the certificate of the key
-- that vouches for it (a supervisor's; the root's is its own). A key is
-- never changed: a reset adds a new one, old signatures stay checkable.
CREATE TABLE keys (
    id           INTEGER PRIMARY KEY,
    user_name    TEXT NOT NULL,
    pub          TEXT NOT NULL UNIQUE,
    sealed       TEXT NOT NULL,
    certified_by TEXT NOT NULL,  -- fingerprint of the certifying key; '' while none has
    cert         TEXT NOT NULL,  -- its signature over signing.CertMessage
    created_at   TEXT NOT NULL
);
CREATE INDEX keys_user ON keys (user_name, id);
