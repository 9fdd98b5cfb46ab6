-- Rate-limit counters, shared by every server instance (rate-limiter-flexible's Postgres
-- store; lib/rate-limit/). They live in their own schema, which Supabase's Data API does not
-- serve, and no role but the server's own may use it: a person who could reach these rows
-- could reset their own limits.

create schema if not exists rate_limits;
revoke all on schema rate_limits from public;

-- The table the library would create itself (its columns and types, which its queries
-- rely on); the app tells it the table exists, so it never runs DDL at runtime.
create table rate_limits.counters (
  key varchar(255) primary key,
  points integer not null default 0,
  -- epoch milliseconds at which the window ends; null never expires
  expire bigint
);

-- The library deletes rows that expired more than an hour ago every few minutes.
create index counters_expire on rate_limits.counters (expire);

revoke all on schema rate_limits from anon, authenticated;
revoke all on all tables in schema rate_limits from anon, authenticated;
