-- Throttling of failed password logins (issue 7: the built-in identity provider), kept
-- in step with ../postgres/0009_login_throttle.sql.
--
-- subject       hex SHA-256 of the login name as typed, lower-cased: names that do not
--               exist are throttled the same way (no account enumeration), and the table
--               holds no user names.
-- failures      consecutive failed logins since the last success.
-- locked_until  unix seconds before which a login is refused without checking the password.
CREATE TABLE login_throttle (
    subject      TEXT    PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
