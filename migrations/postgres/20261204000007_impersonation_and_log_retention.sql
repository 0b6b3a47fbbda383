-- Impersonation lives in the admin's own session: while `impersonating_user_id` is set and
-- `impersonation_expires_at` has not passed, requests on this session act as that user.
alter table sessions add column impersonating_user_id bigint references users (id) on delete set null;
alter table sessions add column impersonation_expires_at bigint;

-- Filters of the activity logs: by event and by actor name (the name outlives the account),
-- newest first; and by time.
create index activity_log_event on activity_log (event, id);
create index activity_log_actor_name on activity_log (actor_name, id);
create index activity_log_created_at on activity_log (created_at, id);

-- The retention job is the only deleter: it sets `gatehouse.pruning` for its own transaction
-- (`set local`), and the trigger refuses every other update, delete and truncate.
create or replace function activity_log_refuse_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' and coalesce(current_setting('gatehouse.pruning', true), '') = 'on' then
        return old;
    end if;
    raise exception 'the activity log is append-only';
end;
$$;
