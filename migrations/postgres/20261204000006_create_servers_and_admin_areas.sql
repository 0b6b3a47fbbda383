-- The things the admin areas govern (locations, nodes and their allocations, nests and eggs,
-- backup configurations, servers), sub-user grants, and the daemon tokens issued for servers.

create table locations (
    id bigint generated always as identity primary key,
    short_code text not null,
    -- Lower-cased short code for uniqueness regardless of case.
    short_code_canonical text not null unique,
    description text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);

create table nodes (
    id bigint generated always as identity primary key,
    name text not null,
    name_canonical text not null unique,
    location_id bigint not null references locations (id),
    fqdn text not null,
    scheme text not null check (scheme in ('http', 'https')),
    daemon_port bigint not null,
    memory_mb bigint not null,
    -- Percentages by which the sum of server limits may exceed the node's; -1 disables the check.
    memory_overallocate bigint not null default 0,
    disk_mb bigint not null,
    disk_overallocate bigint not null default 0,
    maintenance smallint not null default 0 check (maintenance in (0, 1)),
    -- The shared secret that signs daemon tokens and authenticates the node to the panel. It is
    -- shown to the operator once, when generated, and never sent to a browser again.
    daemon_secret text not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index nodes_location_id on nodes (location_id);

-- An address a server can listen on. Which server uses it is `servers.allocation_id`, unique,
-- so no address is ever held twice.
create table allocations (
    id bigint generated always as identity primary key,
    node_id bigint not null references nodes (id) on delete cascade,
    ip text not null,
    port bigint not null,
    unique (node_id, ip, port)
);

create table nests (
    id bigint generated always as identity primary key,
    name text not null,
    name_canonical text not null unique,
    description text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);

create table eggs (
    id bigint generated always as identity primary key,
    nest_id bigint not null references nests (id),
    name text not null,
    description text not null default '',
    -- JSON array of image references; a server picks one of them.
    docker_images text not null default '[]',
    startup text not null default '',
    install_script text not null default '',
    -- JSON array of variables: name, env_name, default, user_viewable, user_editable, rules.
    variables text not null default '[]',
    created_at bigint not null,
    updated_at bigint not null
);
create index eggs_nest_id on eggs (nest_id);

create table backup_configurations (
    id bigint generated always as identity primary key,
    name text not null,
    name_canonical text not null unique,
    kind text not null check (kind in ('s3', 'restic')),
    -- JSON object of the settings that are not secret (endpoint, bucket, region, access key;
    -- or repository).
    settings text not null default '{}',
    -- The S3 secret key or the Restic password. Never sent to a browser.
    secret text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);

create table servers (
    id bigint generated always as identity primary key,
    name text not null,
    description text not null default '',
    owner_id bigint not null references users (id),
    node_id bigint not null references nodes (id),
    allocation_id bigint not null unique references allocations (id),
    egg_id bigint not null references eggs (id),
    docker_image text not null,
    -- JSON object of startup variable values by environment name.
    variables text not null default '{}',
    memory_mb bigint not null,
    disk_mb bigint not null,
    cpu_percent bigint not null,
    backup_configuration_id bigint references backup_configurations (id) on delete set null,
    suspended smallint not null default 0 check (suspended in (0, 1)),
    created_at bigint not null,
    updated_at bigint not null
);
create index servers_owner_id on servers (owner_id);
create index servers_node_id on servers (node_id);
create index servers_egg_id on servers (egg_id);

-- A requested move of a server to another node; the node daemons carry it out.
create table server_transfers (
    id bigint generated always as identity primary key,
    server_id bigint not null references servers (id) on delete cascade,
    from_node_id bigint not null,
    to_node_id bigint not null,
    requested_by bigint,
    created_at bigint not null
);

-- A user's grant on one server.
create table subusers (
    id bigint generated always as identity primary key,
    server_id bigint not null references servers (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    -- JSON array of server permission keys, de-duplicated and sorted.
    permissions text not null default '[]',
    created_at bigint not null,
    updated_at bigint not null,
    unique (server_id, user_id)
);
create index subusers_user_id on subusers (user_id);

-- Every daemon token issued, by its unique id, so that removing a sub-user can revoke the
-- tokens they still hold. The token itself is never stored.
create table daemon_tokens (
    id text primary key,
    server_id bigint not null references servers (id) on delete cascade,
    node_id bigint not null,
    user_id bigint not null,
    purpose text not null,
    issued_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint
);
create index daemon_tokens_server_user on daemon_tokens (server_id, user_id);
create index daemon_tokens_node_revoked on daemon_tokens (node_id, revoked_at);
