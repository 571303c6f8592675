-- The life cycle of signing keys (Enrollment and Identity Management APIs, one-shot
-- credentials). Kept in step with ../postgres/0006_key_lifecycle.sql.
--
-- A credential may now exist before its certificate (certificate_chain is then empty),
-- be certified by an external CA through a connector, have its key destroyed (deleted by
-- its owner, or a one-shot key used up or expired: wrapped_key is then empty), and carry
-- the revocation of a certificate that an external CA revoked at our request (the
-- embedded CA's revocations stay in the certificates registry).
-- The key's DER SubjectPublicKeyInfo, so that a key is certified without unwrapping it
-- (empty for credentials made before this migration: their certificate carries it).
ALTER TABLE credentials ADD COLUMN public_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE credentials ADD COLUMN connector TEXT NOT NULL DEFAULT 'embedded';
ALTER TABLE credentials ADD COLUMN destroyed_at INTEGER;
ALTER TABLE credentials ADD COLUMN expires_at INTEGER;
ALTER TABLE credentials ADD COLUMN cert_revoked_at INTEGER;
ALTER TABLE credentials ADD COLUMN cert_revocation_reason TEXT;
-- the sweep of one-shot keys past their expiry
CREATE INDEX credentials_expires_at ON credentials (expires_at);

-- The signer's acceptance of the group's TSP policy documents before a key is created
-- (EN 419 241-1 SRA_SAP / ETSI EN 319 411-1 §6.3.4: terms and conditions accepted).
-- documents is the JSON list of what was shown: [{"name","version","sha256"}].
CREATE TABLE consents (
    id            TEXT    PRIMARY KEY NOT NULL,
    user_id       TEXT    NOT NULL REFERENCES users (id),
    credential_id TEXT    NOT NULL REFERENCES credentials (id),
    documents     TEXT    NOT NULL,
    accepted_at   INTEGER NOT NULL
);
CREATE INDEX consents_credential_id ON consents (credential_id);
