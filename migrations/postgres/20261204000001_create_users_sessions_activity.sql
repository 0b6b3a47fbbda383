-- Accounts, their sessions, and the append-only activity log.

create table users (
    -- Identity columns never hand out an id twice.
    id bigint generated always as identity primary key,
    username text not null,
    -- Lower-cased username, computed by the application; uniqueness regardless of case.
    username_canonical text not null unique,
    email text not null,
    -- Lower-cased email, computed by the application so both backends agree.
    email_canonical text not null unique,
    first_name text not null,
    last_name text not null,
    -- argon2id PHC string; null until the user sets a password through a one-time link.
    password_hash text,
    language text not null default 'en',
    -- The root-admin flag (0 or 1): every permission, bypassing roles. Flags are integers on
    -- both backends so one query layer reads them the same way.
    is_admin smallint not null default 0 check (is_admin in (0, 1)),
    created_at bigint not null,
    updated_at bigint not null
);

create table sessions (
    id bigint generated always as identity primary key,
    -- SHA-256 of the cookie token; the token itself is never stored.
    token_hash text not null unique,
    user_id bigint not null references users (id) on delete cascade,
    created_at bigint not null,
    -- Updated at most once a minute; the idle timeout counts from here.
    last_seen_at bigint not null,
    -- Absolute end of the session, whatever its activity.
    expires_at bigint not null,
    ip text,
    user_agent text
);

create index sessions_user_id on sessions (user_id);

create table activity_log (
    id bigint generated always as identity primary key,
    created_at bigint not null,
    -- An `area:thing.verb` key from the Event enum.
    event text not null,
    -- No foreign key: rows outlive the user; ids are never reused, and actor_name keeps the
    -- name as it was.
    actor_id bigint,
    actor_name text,
    impersonator_id bigint,
    impersonator_name text,
    subject_type text,
    subject_id bigint,
    ip text,
    user_agent text,
    -- JSON object with event-specific details; never a secret.
    details text
);

create index activity_log_actor on activity_log (actor_id, id);
create index activity_log_subject on activity_log (subject_type, subject_id, id);

create function activity_log_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the activity log is append-only';
end;
$$;

create trigger activity_log_append_only before update or delete on activity_log
for each row execute function activity_log_refuse_change();

-- TRUNCATE bypasses row triggers; refuse it too.
create trigger activity_log_no_truncate before truncate on activity_log
for each statement execute function activity_log_refuse_change();
