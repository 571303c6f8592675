-- Offline OTP (RFC 6238 TOTP) as a second factor: the seed, sealed by the crypto module
-- under the master key, and the last time step accepted (a code is never accepted twice).
-- Kept in step with ../postgres/0004_otp.sql.
ALTER TABLE users ADD COLUMN otp_sealed BLOB;
ALTER TABLE users ADD COLUMN otp_last_step INTEGER NOT NULL DEFAULT 0;
