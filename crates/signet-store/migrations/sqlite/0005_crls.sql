-- CRLs as issued (RFC 5280 §5): one row per (CA, CRL number), so that a number always
-- names exactly one CRL (§5.2.3) and every node serves the same one. A new number is
-- issued when revocations change or the current CRL nears its nextUpdate; the primary
-- key settles races between nodes. Kept in step with ../postgres/0005_crls.sql.
CREATE TABLE crls (
    ca_id       TEXT    NOT NULL REFERENCES certificate_authorities (id),
    number      INTEGER NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    revoked     INTEGER NOT NULL,
    der         BLOB    NOT NULL,
    PRIMARY KEY (ca_id, number)
);
CREATE INDEX certificates_ca_status ON certificates (ca_id, status);
