-- Realistic data for scripts/bench, in SQL that SQLite and PostgreSQL both run. Before it, the
-- bench script has created `bench.user` (the signed-in reader) and `storm1` (whose password hash
-- every other storm account copies) with the command line.
--
-- 10,000 users: 9,999 more storm accounts beside storm1, all with storm1's password.
insert into users (username, username_canonical, email, email_canonical, first_name, last_name,
                   password_hash, created_at, updated_at)
select 'storm' || n.i, 'storm' || n.i, 'storm' || n.i || '@example.test',
       'storm' || n.i || '@example.test', 'Storm', 'User ' || n.i,
       (select password_hash from users where username_canonical = 'storm1'), 0, 0
from (with recursive n(i) as (select 2 union all select i + 1 from n where i < 10000)
      select i from n) n;

-- One location, 20 nodes of 500 addresses each: 10,000 addresses.
insert into locations (short_code, short_code_canonical, created_at, updated_at)
values ('bench', 'bench', 0, 0);

insert into nodes (name, name_canonical, location_id, fqdn, scheme, daemon_port, memory_mb,
                   disk_mb, daemon_secret, created_at, updated_at)
select 'node' || n.i, 'node' || n.i, (select id from locations where short_code = 'bench'),
       'node' || n.i || '.example.test', 'https', 8080, 1048576, 1048576, 'secret' || n.i, 0, 0
from (with recursive n(i) as (select 1 union all select i + 1 from n where i < 20)
      select i from n) n;

insert into allocations (node_id, ip, port)
select nodes.id, '10.0.0.1', 20000 + p.i
from nodes
cross join (with recursive p(i) as (select 1 union all select i + 1 from p where i < 500)
            select i from p) p;

insert into nests (name, name_canonical, created_at, updated_at)
values ('Minecraft', 'minecraft', 0, 0);

insert into eggs (nest_id, name, docker_images, startup, variables, created_at, updated_at)
values ((select id from nests where name_canonical = 'minecraft'), 'Vanilla',
        '["ghcr.io/example/java:21"]', 'java -jar {{SERVER_JAR}}',
        '[{"name":"Jar","env_name":"SERVER_JAR","default":"server.jar","user_viewable":true,"user_editable":true,"rules":"required|string|max:20"}]',
        0, 0);

-- 10,000 servers, one on each address: bench.user owns the first 20, the storm accounts the
-- rest, a few each.
insert into servers (name, owner_id, node_id, allocation_id, egg_id, docker_image, variables,
                     memory_mb, disk_mb, cpu_percent, created_at, updated_at)
select 'Server ' || a.id,
       case when a.id < (select min(id) from allocations) + 20
            then (select id from users where username_canonical = 'bench.user')
            else (select id from users where username_canonical = 'storm1') + (a.id % 9999)
       end,
       a.node_id, a.id, (select id from eggs where name = 'Vanilla'), 'ghcr.io/example/java:21',
       '{"SERVER_JAR":"server.jar"}', 1024, 1024, 100, 0, 0
from allocations a;
