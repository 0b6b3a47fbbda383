-- Per-account failed sign-in counter for the brute-force lockout. The window starts at the
-- first failure; ten failures inside fifteen minutes lock the account until it ends.
alter table users add column failed_sign_ins bigint not null default 0;
alter table users add column failed_sign_ins_since bigint not null default 0;
