-- One-time links that let a user set a password (new accounts, operator resets, and later
-- the forgot-password mail).
create table password_tokens (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    -- SHA-256 of the token in the link; the token itself is never stored.
    token_hash text not null unique,
    created_at bigint not null,
    expires_at bigint not null,
    -- Set when the link is used or voided by a newer one; a token works once.
    used_at bigint
);

create index password_tokens_user_id on password_tokens (user_id);
