-- TOTP two-factor authentication (RFC 6238), recovery codes, and sign-in checkpoints.

-- Base32 TOTP secret; null while two-factor is off.
alter table users add column totp_secret text;
-- The secret being enrolled, until the user confirms a code for it.
alter table users add column totp_pending_secret text;
alter table users add column totp_pending_since integer not null default 0;
-- The newest 30-second step a code was accepted for; older or equal steps are refused
-- (RFC 6238 section 5.2: a code is used once).
alter table users add column totp_last_step integer not null default 0;

create table recovery_codes (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    -- SHA-256 of the code; the code itself is shown once and never stored.
    code_hash text not null,
    used_at integer
);

create index recovery_codes_user_id on recovery_codes (user_id);

-- The state between a correct password and a correct second factor. Not a session: it opens
-- nothing but the code check.
create table checkpoints (
    id integer primary key autoincrement,
    -- SHA-256 of the checkpoint cookie's token.
    token_hash text not null unique,
    user_id integer not null references users (id) on delete cascade,
    created_at integer not null,
    expires_at integer not null,
    -- Wrong codes so far; the checkpoint dies at five.
    failures integer not null default 0
);
