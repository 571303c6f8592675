-- Signet CSC API state (PostgreSQL dialect): bearer tokens, Signature Activation
-- Data, and the hash-chained audit log.
-- Kept in step with ../sqlite/0002_csc.sql: same tables, columns and
-- constraints; only the types differ (BIGINT here for times, counters and
-- sequence numbers, INTEGER there).

-- OAuth 2.0 tokens, by the hex SHA-256 of the bearer value (never the value).
CREATE TABLE tokens (
    token_hash TEXT    PRIMARY KEY NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('access', 'refresh', 'service')),
    user_id    TEXT    REFERENCES users (id),
    client_id  TEXT    REFERENCES clients (id),
    scope      TEXT    NOT NULL,
    -- an access token and its refresh token share a family: revoke them together
    family_id  TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at BIGINT  NOT NULL
);
CREATE INDEX tokens_family_id ON tokens (family_id);

-- Signature Activation Data, by the hex SHA-256 of the SAD. `hashes` holds the
-- authorised digests not yet signed (base64, joined by ','; '' when the SAD
-- authorises a count only); `version` is bumped by every change
-- (compare-and-set: two consumers of one SAD cannot both win).
CREATE TABLE sads (
    sad_hash      TEXT    PRIMARY KEY NOT NULL,
    user_id       TEXT    NOT NULL REFERENCES users (id),
    credential_id TEXT    NOT NULL REFERENCES credentials (id),
    client_id     TEXT    REFERENCES clients (id),
    hash_algo     TEXT,
    hashes        TEXT    NOT NULL,
    remaining     BIGINT  NOT NULL CHECK (remaining >= 0),
    factors       TEXT    NOT NULL,
    version       BIGINT  NOT NULL DEFAULT 0,
    expires_at    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- The tamper-evident audit log: seq 1, 2, 3… without gaps; each record's hash
-- covers the previous record's hash (see src/audit.rs). No foreign keys: a
-- record must outlive what it names.
CREATE TABLE audit_log (
    seq           BIGINT  PRIMARY KEY NOT NULL,
    at            BIGINT  NOT NULL,
    kind          TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    user_id       TEXT,
    client_id     TEXT,
    credential_id TEXT,
    details       TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
CREATE INDEX audit_log_user_id_seq ON audit_log (user_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain's head: the last record's seq and hash (genesis: 0 and 64 zeros).
-- Appenders update this one row first, which serialises them on every node.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
