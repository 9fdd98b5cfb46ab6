-- What a Supabase project provides before any migration runs, recreated for the local
-- embedded Postgres: the roles PostgREST switches between, the `auth` schema with a
-- minimal `auth.users`, and the `auth.uid()` / `auth.role()` / `auth.jwt()` helpers that
-- read the JWT claims the data layer sets per transaction. Idempotent; never applied to
-- a real Supabase database.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

grant anon, authenticated, service_role to current_user;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  email text unique,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create or replace function auth.jwt() returns jsonb
language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable as $$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;

create or replace function auth.role() returns text
language sql stable as $$
  select auth.jwt() ->> 'role'
$$;

grant usage on schema public to anon, authenticated, service_role;

-- A Supabase project is created with default privileges that give anon, authenticated and
-- service_role every privilege on each table, sequence and function the migrations create in
-- `public` (and PostgreSQL itself lets PUBLIC execute every new function). Emulated here so
-- the migrations are tested against what the platform does, not against a friendlier
-- database. Only in a database no migration has run in yet: on a real project these are
-- set once at creation, and a migration that revokes them must stay revoked across restarts.
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is null then
    alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
    alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
    alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
  end if;
end
$$;
