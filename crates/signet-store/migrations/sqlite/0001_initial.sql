-- Signet initial schema (SQLite dialect).
-- Kept in step with ../postgres/0001_initial.sql: same tables, columns and
-- constraints; only the types differ (INTEGER / BLOB here, BIGINT / BYTEA there).
-- Times are unix seconds, booleans are 0/1, ids are caller-minted text.

CREATE TABLE groups (
    id          TEXT    PRIMARY KEY NOT NULL,
    name        TEXT    NOT NULL UNIQUE,
    allow_sha1  INTEGER NOT NULL DEFAULT 0 CHECK (allow_sha1 IN (0, 1)),
    created_at  INTEGER NOT NULL
);

CREATE TABLE clients (
    id          TEXT    PRIMARY KEY NOT NULL,
    group_id    TEXT    NOT NULL REFERENCES groups (id),
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (group_id, name)
);

CREATE TABLE users (
    id            TEXT    PRIMARY KEY NOT NULL,
    username      TEXT    NOT NULL UNIQUE,
    group_id      TEXT    NOT NULL REFERENCES groups (id),
    given_name    TEXT    NOT NULL,
    surname       TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    phone         TEXT,
    password_hash TEXT    NOT NULL,
    pin_hash      TEXT,
    pin_failures  INTEGER NOT NULL DEFAULT 0,
    pin_locked    INTEGER NOT NULL DEFAULT 0 CHECK (pin_locked IN (0, 1)),
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_group_id ON users (group_id);

CREATE TABLE certificate_authorities (
    id            TEXT    PRIMARY KEY NOT NULL,
    parent_id     TEXT    REFERENCES certificate_authorities (id),
    name          TEXT    NOT NULL,
    key_algorithm TEXT    NOT NULL,
    wrapped_key   BLOB    NOT NULL,
    certificate   BLOB    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE credentials (
    id                TEXT    PRIMARY KEY NOT NULL,
    user_id           TEXT    NOT NULL REFERENCES users (id),
    key_algorithm     TEXT    NOT NULL,
    wrapped_key       BLOB    NOT NULL,
    certificate_chain BLOB    NOT NULL,
    profile           TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('enabled', 'disabled')),
    description       TEXT,
    scal              INTEGER NOT NULL CHECK (scal IN (1, 2)),
    multisign         INTEGER NOT NULL CHECK (multisign >= 1),
    created_at        INTEGER NOT NULL
);
-- keyset pagination of one user's credentials
CREATE INDEX credentials_user_id_id ON credentials (user_id, id);

-- Every certificate the embedded CA issued (CA and end-entity).
CREATE TABLE certificates (
    serial            TEXT    PRIMARY KEY NOT NULL,
    ca_id             TEXT    NOT NULL REFERENCES certificate_authorities (id),
    credential_id     TEXT    REFERENCES credentials (id),
    subject           TEXT    NOT NULL,
    not_before        INTEGER NOT NULL,
    not_after         INTEGER NOT NULL,
    der               BLOB    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'valid',
    revoked_at        INTEGER,
    revocation_reason TEXT
);
CREATE INDEX certificates_ca_id ON certificates (ca_id);
CREATE INDEX certificates_credential_id ON certificates (credential_id);
