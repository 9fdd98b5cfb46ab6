-- Outgoing webhooks: every attempt is logged, a message is delivered at most once per
-- endpoint, and each project transition to `ready` or `error` writes its outbox event in
-- the same transaction as the change itself.

-- One delivery per (endpoint, message): a resent or duplicated status event finds its
-- delivery row and does not start a second one. message_id is the `webhook-id` header.
alter table public.webhook_deliveries
  add column message_id text not null,
  add column last_attempt_at timestamptz,
  add column next_attempt_at timestamptz;

create unique index webhook_deliveries_message_idx on public.webhook_deliveries (endpoint_id, message_id);

create table public.webhook_delivery_attempts (
  id uuid primary key default gen_random_uuid(),
  delivery_id uuid not null references public.webhook_deliveries (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  attempt integer not null check (attempt > 0),
  started_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  response_body text
);

create index webhook_delivery_attempts_delivery_idx on public.webhook_delivery_attempts (delivery_id, attempt);

alter table public.webhook_delivery_attempts enable row level security;
create policy "read own webhook delivery attempts" on public.webhook_delivery_attempts
  for select to authenticated using (user_id = auth.uid());
grant select on public.webhook_delivery_attempts to authenticated;
grant all on public.webhook_delivery_attempts to service_role;

-- The same URL twice would receive every event twice.
create unique index webhook_endpoints_user_url_idx on public.webhook_endpoints (user_id, url);

-- The signing secret is shown once, when the endpoint is created; afterwards only the
-- server (which signs) reads it. Users may switch their endpoints on and off, nothing more:
-- a URL is changed by registering a new endpoint, which passes the SSRF guard again.
revoke select, update on public.webhook_endpoints from authenticated;
grant select (id, user_id, url, enabled, disabled_reason, created_at, updated_at) on public.webhook_endpoints to authenticated;
grant update (enabled, disabled_reason) on public.webhook_endpoints to authenticated;

-- Every path that moves a project to `ready` or `error` (a conditional UPDATE that won,
-- whichever module made it) writes `project/status.changed` to the outbox in its own
-- transaction, so the announcement commits or rolls back with the change. Only for users
-- with an enabled endpoint: nobody else has anyone to tell. The event id is built from the
-- project, the status and the time, as eventIds.statusChanged (lib/jobs/events.ts) builds it.
-- Security definer: transitions also happen as the `authenticated` role, which may only
-- read the outbox.
create or replace function public.enqueue_project_status_changed() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  changed_at timestamptz := date_trunc('milliseconds', clock_timestamp());
begin
  if not exists (select 1 from public.webhook_endpoints e where e.user_id = new.user_id and e.enabled) then
    return null;
  end if;
  insert into public.outbox (user_id, project_id, event_name, event_id, payload)
  values (
    new.user_id,
    new.id,
    'project/status.changed',
    format('status-%s-%s-%s', new.id, new.status, (extract(epoch from changed_at) * 1000)::bigint),
    jsonb_build_object(
      'projectId', new.id,
      'userId', new.user_id,
      'status', new.status,
      'at', to_char(changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    )
  )
  on conflict (event_id) do nothing;
  return null;
end
$$;

revoke all on function public.enqueue_project_status_changed() from public;

create trigger projects_status_changed_outbox
  after update of status on public.projects
  for each row
  when (new.status in ('ready', 'error') and old.status is distinct from new.status)
  execute function public.enqueue_project_status_changed();
