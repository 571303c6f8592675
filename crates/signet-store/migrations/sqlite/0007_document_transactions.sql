-- Two-step document signing (Document Signature API, prepare/complete): what was
-- prepared for a credential — the signed attributes whose digest (the DTBS/R) the signer
-- authorises — kept until it is completed once or expires. Any node may complete it.
-- Kept in step with ../postgres/0007_document_transactions.sql.
CREATE TABLE document_transactions (
    id                TEXT    PRIMARY KEY NOT NULL,
    user_id           TEXT    NOT NULL REFERENCES users (id),
    credential_id     TEXT    NOT NULL REFERENCES credentials (id),
    client_id         TEXT,
    format            TEXT    NOT NULL,
    level             TEXT    NOT NULL,
    sign_algorithm    TEXT    NOT NULL,
    signed_attributes BLOB    NOT NULL,
    certificates      BLOB    NOT NULL,
    content           BLOB,
    dtbsr             BLOB    NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    completed_at      INTEGER
);
CREATE INDEX document_transactions_expires_at ON document_transactions (expires_at);
