-- OAuth 2.0 client registration (RFC 6749 §2, hardened per RFC 9700), for the
-- authorization-code flow. Kept in step with ../postgres/0008_oauth_clients.sql.
--
-- public         1: a public client (RFC 6749 §2.1): no secret, PKCE required;
--                0: a confidential client. A public client never has a secret_hash;
--                a confidential one may lack it too (later: private_key_jwt).
-- redirect_uris  the registered redirect URIs, compared by exact string match
--                (RFC 6749 §3.1.2, RFC 9700 §4.1.3), one per line ('\n'), in
--                registration order; '' when none (a URI never contains a line break).
-- scopes         the scopes the client may ask for, space-separated (RFC 6749 §3.3).
-- claims         the user claims it may read (OIDC Core §5.1), space-separated; '' none.
-- Clients made before this migration: confidential, no redirect URI, scope `service`.
--
-- SQLite cannot drop NOT NULL from secret_hash, so the table is rebuilt. tokens and
-- sads reference clients (id): the old rows are copied aside, the table dropped and
-- made anew under the same name, and the rows put back. Foreign keys are deferred to
-- the commit, when every reference is whole again (a lost row fails the migration);
-- copying into a new table and renaming it instead would not work, as renaming the old
-- table would move the references of tokens and sads with it.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE clients_0007 AS SELECT id, group_id, name, secret_hash, created_at FROM clients;
DROP TABLE clients;

CREATE TABLE clients (
    id            TEXT    PRIMARY KEY NOT NULL,
    group_id      TEXT    NOT NULL REFERENCES groups (id),
    name          TEXT    NOT NULL,
    secret_hash   TEXT,
    created_at    INTEGER NOT NULL,
    public        INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    redirect_uris TEXT    NOT NULL DEFAULT '',
    scopes        TEXT    NOT NULL DEFAULT 'service',
    claims        TEXT    NOT NULL DEFAULT '',
    UNIQUE (group_id, name),
    CONSTRAINT clients_public_no_secret CHECK (public = 0 OR secret_hash IS NULL)
);

INSERT INTO clients (id, group_id, name, secret_hash, created_at)
SELECT id, group_id, name, secret_hash, created_at FROM clients_0007;
DROP TABLE clients_0007;
