-- Object keys the server recorded where only the server writes, so that no key is taken
-- on trust: not from a row a person could once write, not from an event payload.

-- Shared outputs (a clip and its thumbnail) live under shared/<id>/, where <id> is 128
-- random bits the server drew: a share link then names neither the owner nor the project.
-- The id is recorded before anything is stored under it, so a retried step reuses it
-- instead of leaving unrecorded objects behind, and it outlives the project row (no
-- foreign keys) until cleanup-project has removed its objects.
create table public.shared_outputs (
  id text primary key check (id ~ '^[0-9a-f]{32}$'),
  user_id uuid not null,
  project_id uuid not null,
  position smallint not null,
  created_at timestamptz not null default now(),
  unique (user_id, project_id, position)
);

-- The keys a deleted project held, written by the database in the deleting transaction
-- (whoever deletes, however), before its uploads and clips cascade away. cleanup-project
-- reads the owner and the keys from here; an event naming a project that has no row here
-- deletes nothing.
create table public.deleted_project_objects (
  id bigint generated always as identity primary key,
  project_id uuid not null,
  user_id uuid not null,
  keys text[] not null,
  deleted_at timestamptz not null default now()
);

create index deleted_project_objects_project_idx on public.deleted_project_objects (project_id);

create or replace function public.record_deleted_project_objects() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  insert into public.deleted_project_objects (project_id, user_id, keys)
  values (old.id, old.user_id, array(
    select distinct k from (
      select unnest(array[old.r2_key, old.playback_key, old.thumbnail_key]) as k
      union all select u.key from public.uploads u where u.project_id = old.id and u.user_id = old.user_id
      union all select c.key from public.clips c where c.project_id = old.id and c.user_id = old.user_id
      union all select c.thumbnail_key from public.clips c where c.project_id = old.id and c.user_id = old.user_id
    ) held where k is not null));
  return old;
end
$$;

create trigger projects_record_deleted_objects
  before delete on public.projects
  for each row execute function public.record_deleted_project_objects();

-- Server only: no policy, no grant. Explicit, whatever default privileges the project has.
alter table public.shared_outputs enable row level security;
alter table public.deleted_project_objects enable row level security;
revoke all on public.shared_outputs, public.deleted_project_objects from public, anon, authenticated;
grant all on public.shared_outputs, public.deleted_project_objects to service_role;
revoke all on function public.record_deleted_project_objects() from public, anon, authenticated;
