-- Supabase's Data API serves `public` to any browser holding the anon key, signed in as
-- `authenticated`: whatever that role may write, a person can write directly, past every
-- check the server makes (plan limits, the SSRF guard, server-made object keys, share
-- tokens, the timeline). So a person reads their own rows and changes only what the app
-- lets them change — a project's title. Every other write goes through the server's own
-- connection, with the owner filter in its SQL. `anon` gets nothing.
--
-- Written to hold against a project whose default privileges gave anon and authenticated
-- every privilege on every object in `public` (what Supabase projects were created with;
-- supabase/local-bootstrap.sql emulates it): everything is revoked, then the reads are
-- granted back one by one.

revoke all on all tables in schema public from anon, authenticated;
revoke all on all sequences in schema public from anon, authenticated;

-- Tables a later migration creates start closed too; it grants what people may read.
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;
-- PostgreSQL lets PUBLIC (every role) execute a new function unless this role's global
-- default says otherwise; a per-schema default cannot take that away.
alter default privileges revoke execute on functions from public;

-- Reads: row-level security below limits each to the person's own rows.
grant select on public.profiles, public.projects, public.uploads, public.upload_parts,
  public.project_events, public.clips, public.outbox, public.usage_events, public.subscriptions,
  public.webhook_deliveries, public.webhook_delivery_attempts to authenticated;
-- The signing secret is shown once, at registration; afterwards only the server reads it.
grant select (id, user_id, url, enabled, disabled_reason, created_at, updated_at)
  on public.webhook_endpoints to authenticated;

-- The one write: renaming a project. updated_at is set by its trigger, not by the person.
grant update (title) on public.projects to authenticated;

-- Policies that allowed every command become read-only.
drop policy "update own profile" on public.profiles;

drop policy "own projects" on public.projects;
create policy "read own projects" on public.projects
  for select to authenticated using (user_id = auth.uid());
create policy "rename own projects" on public.projects
  for update to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());

drop policy "own uploads" on public.uploads;
create policy "read own uploads" on public.uploads
  for select to authenticated using (user_id = auth.uid());

drop policy "own upload parts" on public.upload_parts;
create policy "read own upload parts" on public.upload_parts
  for select to authenticated using (user_id = auth.uid());

drop policy "own project events" on public.project_events;
create policy "read own project events" on public.project_events
  for select to authenticated using (user_id = auth.uid());

drop policy "own clips" on public.clips;
create policy "read own clips" on public.clips
  for select to authenticated using (user_id = auth.uid());

drop policy "own webhook endpoints" on public.webhook_endpoints;
create policy "read own webhook endpoints" on public.webhook_endpoints
  for select to authenticated using (user_id = auth.uid());

-- A rename notes itself on the timeline, whichever way it was made (the app's PATCH or the
-- Data API): people may not write timeline entries themselves, so the database writes this
-- one with the rename. Security definer: the renaming role cannot insert into project_events.
create or replace function public.note_project_renamed() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  insert into public.project_events (project_id, user_id, kind, message)
  values (new.id, new.user_id, 'renamed', format('Renamed to “%s”.', new.title));
  return null;
end
$$;

create trigger projects_renamed_timeline
  after update of title on public.projects
  for each row execute function public.note_project_renamed();

-- No function in `public` is for people to call through the Data API's RPC: the ones here
-- are trigger functions (and, locally, pgcrypto's), and a security definer one runs with its
-- owner's rights. Last, so that the function created above is covered.
revoke all on all routines in schema public from public, anon, authenticated;
