-- Impersonation lives in the admin's own session: while `impersonating_user_id` is set and
-- `impersonation_expires_at` has not passed, requests on this session act as that user.
alter table sessions add column impersonating_user_id integer references users (id) on delete set null;
alter table sessions add column impersonation_expires_at integer;

-- Filters of the activity logs: by event and by actor name (the name outlives the account),
-- newest first; and by time.
create index activity_log_event on activity_log (event, id);
create index activity_log_actor_name on activity_log (actor_name, id);
create index activity_log_created_at on activity_log (created_at, id);

-- The retention job is the only deleter: it marks its own transaction by putting a row here,
-- and the trigger refuses every delete made without that mark.
create table activity_log_pruning (
    marker integer not null
);

drop trigger activity_log_no_delete;
create trigger activity_log_no_delete before delete on activity_log
when not exists (select 1 from activity_log_pruning)
begin
    select raise(abort, 'the activity log is append-only');
end;
