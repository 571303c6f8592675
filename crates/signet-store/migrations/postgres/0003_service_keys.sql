-- Service keys (EN 419 241: keys of the service itself, never a signer's): the TSA's and,
-- later, the OCSP responder's. Each has its certificate from the embedded issuing CA.
-- Kept in step with ../sqlite/0003_service_keys.sql.
CREATE TABLE service_keys (
    id            TEXT   PRIMARY KEY NOT NULL,
    purpose       TEXT   NOT NULL CHECK (purpose IN ('tsa', 'ocsp')),
    key_algorithm TEXT   NOT NULL,
    wrapped_key   BYTEA  NOT NULL,
    certificate   BYTEA  NOT NULL,
    created_at    BIGINT NOT NULL
);
