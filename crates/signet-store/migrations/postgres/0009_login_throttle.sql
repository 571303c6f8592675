-- Throttling of failed password logins (issue 7: the built-in identity provider), kept
-- in step with ../sqlite/0009_login_throttle.sql (BIGINT here for times and counters).
--
-- subject       hex SHA-256 of the login name as typed, lower-cased: names that do not
--               exist are throttled the same way (no account enumeration), and the table
--               holds no user names.
-- failures      consecutive failed logins since the last success.
-- locked_until  unix seconds before which a login is refused without checking the password.
CREATE TABLE login_throttle (
    subject      TEXT    PRIMARY KEY NOT NULL,
    failures     BIGINT  NOT NULL,
    locked_until BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
