-- Roles: named sets of admin permissions and server permissions (granted on every server),
-- with a "require two factor" toggle; a user holds at most one.
create table roles (
    id integer primary key autoincrement,
    name text not null,
    -- Lower-cased name for uniqueness regardless of case.
    name_canonical text not null unique,
    description text not null default '',
    require_two_factor integer not null default 0 check (require_two_factor in (0, 1)),
    -- JSON arrays of catalogue keys, stored de-duplicated and sorted.
    admin_permissions text not null default '[]',
    server_permissions text not null default '[]',
    -- Bumped by every save; a save that names an older version is a conflict.
    version integer not null default 1,
    created_at integer not null,
    updated_at integer not null
);

alter table users add column role_id integer references roles (id) on delete set null;
create index users_role_id on users (role_id);

-- Panel-wide settings as key/value pairs (for now: the two-factor policy).
create table settings (
    key text primary key,
    value text not null
);
