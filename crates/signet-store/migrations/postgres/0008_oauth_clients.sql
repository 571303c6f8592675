-- OAuth 2.0 client registration (RFC 6749 §2, hardened per RFC 9700), for the
-- authorization-code flow. Kept in step with ../sqlite/0008_oauth_clients.sql.
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
ALTER TABLE clients ALTER COLUMN secret_hash DROP NOT NULL;
ALTER TABLE clients ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN scopes TEXT NOT NULL DEFAULT 'service';
ALTER TABLE clients ADD COLUMN claims TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD CONSTRAINT clients_public_no_secret
    CHECK (public = 0 OR secret_hash IS NULL);
