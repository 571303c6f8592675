-- The authorization server's browser-side state (issue 7: RFC 6749 §4.1 code flow,
-- OpenID Connect Core §3.1, CSC v1.0.4.0 §8.4 oauth2code), kept in step with
-- ../sqlite/0010_oauth_authorization.sql. Every secret that a browser or a client
-- holds (session cookie, authorization code) is stored only as its hex SHA-256.

-- A signer's login session at the built-in identity provider (the session cookie).
-- amr          RFC 8176 methods proven in this session, space-separated ("pwd", "otp").
-- acr          the eIDAS level of assurance they reach ("low", "substantial", "high").
CREATE TABLE auth_sessions (
    session_hash TEXT    PRIMARY KEY NOT NULL,
    user_id      TEXT    NOT NULL REFERENCES users (id),
    auth_time    BIGINT  NOT NULL,
    amr          TEXT    NOT NULL,
    acr          TEXT    NOT NULL,
    expires_at   BIGINT  NOT NULL,
    revoked      BIGINT  NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX auth_sessions_user_id ON auth_sessions (user_id);

-- An authorization request that passed validation and waits for the signer (login,
-- consent, approval). Its id is what the pages carry; the request itself (JSON) never
-- comes back from the browser, so nothing a browser sends can change where the answer
-- is redirected. `done` is set when a code has been issued for it (single use).
CREATE TABLE auth_requests (
    id         TEXT    PRIMARY KEY NOT NULL,
    client_id  TEXT    NOT NULL REFERENCES clients (id),
    request    TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    done       BIGINT  NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    created_at BIGINT  NOT NULL
);
-- Expired requests are deleted as new ones arrive.
CREATE INDEX auth_requests_expires_at ON auth_requests (expires_at);

-- One authorization given by a signer to a client: the code and what it grants. The
-- tokens issued for it share `id` as their family (revoked together). `redeemed` is the
-- compare-and-set of the code's single use (RFC 6749 §4.1.2). For the CSC `credential`
-- scope, `credential_id` and the SAD issued at approval, sealed by the crypto module.
CREATE TABLE oauth_grants (
    id              TEXT    PRIMARY KEY NOT NULL,
    code_hash       TEXT    NOT NULL UNIQUE,
    client_id       TEXT    NOT NULL REFERENCES clients (id),
    user_id         TEXT    NOT NULL REFERENCES users (id),
    redirect_uri    TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    claims          TEXT    NOT NULL,
    nonce           TEXT,
    code_challenge  TEXT,
    auth_time       BIGINT  NOT NULL,
    amr             TEXT    NOT NULL,
    acr             TEXT    NOT NULL,
    credential_id   TEXT    REFERENCES credentials (id),
    sealed_sad      BYTEA,
    code_expires_at BIGINT  NOT NULL,
    redeemed        BIGINT  NOT NULL DEFAULT 0 CHECK (redeemed IN (0, 1)),
    created_at      BIGINT  NOT NULL
);

-- The user claims a signer agreed to let a client read (OpenID Connect Core §3.1.2.4).
CREATE TABLE oauth_consents (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    client_id  TEXT    NOT NULL REFERENCES clients (id),
    claims     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- A client's public keys (a JWK Set, RFC 7517 §5) for private_key_jwt client
-- authentication (RFC 7523 §2.2, OpenID Connect Core §9); NULL when it has none.
ALTER TABLE clients ADD COLUMN jwks TEXT;

-- The `jti` of every client assertion accepted, until its expiry: an assertion is
-- accepted once (RFC 7523 §3 item 7).
CREATE TABLE client_assertions (
    jti_hash   TEXT    PRIMARY KEY NOT NULL,
    client_id  TEXT    NOT NULL REFERENCES clients (id),
    expires_at BIGINT  NOT NULL
);
CREATE INDEX client_assertions_expires_at ON client_assertions (expires_at);

-- The token-signing key joins the service keys (purpose `token`).
ALTER TABLE service_keys DROP CONSTRAINT service_keys_purpose_check;
ALTER TABLE service_keys ADD CONSTRAINT service_keys_purpose_check
    CHECK (purpose IN ('tsa', 'ocsp', 'token'));
