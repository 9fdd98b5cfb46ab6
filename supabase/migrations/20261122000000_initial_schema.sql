-- ClipCrafter schema. Every table a user can see has row-level security keyed on
-- auth.uid(); user-scoped queries run as the `authenticated` role with the JWT claims
-- set, so these policies protect the local stack and Supabase alike. Tables only the
-- server writes (outbox, usage ledger, billing state) grant users read access at most.

create extension if not exists pgcrypto;

create or replace function public.touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Profiles ---------------------------------------------------------------------------

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  stripe_customer_id text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create or replace function public.create_profile_for_new_user() returns trigger
language plpgsql security definer set search_path = public as $$
begin
  insert into public.profiles (id, email) values (new.id, new.email)
  on conflict (id) do nothing;
  return new;
end
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.create_profile_for_new_user();

-- Projects ---------------------------------------------------------------------------

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 300),
  status text not null default 'uploading'
    check (status in ('uploading', 'queued', 'processing', 'ready', 'error', 'canceled', 'expired')),
  stage text,
  progress smallint not null default 0 check (progress between 0 and 100),
  error_code text,
  error_message text,
  source_type text not null check (source_type in ('upload', 'url')),
  source_url text,
  r2_key text,
  upload_completed_at timestamptz,
  duration_seconds double precision,
  width integer,
  height integer,
  video_codec text,
  audio_codec text,
  media_info jsonb,
  thumbnail_key text,
  playback_key text,
  processing_attempts integer not null default 0,
  last_progress_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index projects_user_created_idx on public.projects (user_id, created_at desc, id desc);
create index projects_status_idx on public.projects (status, updated_at);

create trigger projects_touch_updated_at
  before update on public.projects
  for each row execute function public.touch_updated_at();

-- Uploads and their parts manifest -----------------------------------------------------

create table public.uploads (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  key text not null unique,
  filename text not null,
  content_type text not null,
  size bigint not null check (size > 0),
  method text not null check (method in ('single', 'multipart')),
  storage_upload_id text,
  part_size bigint,
  part_count integer check (part_count between 1 and 10000),
  status text not null default 'uploading'
    check (status in ('uploading', 'completing', 'completed', 'aborted', 'expired', 'failed')),
  expires_at timestamptz not null,
  claimed_at timestamptz,
  completed_at timestamptz,
  error_code text,
  error_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (method = 'single' or (storage_upload_id is not null and part_size is not null and part_count is not null))
);

create index uploads_project_idx on public.uploads (project_id);
create index uploads_status_idx on public.uploads (status, expires_at);

create trigger uploads_touch_updated_at
  before update on public.uploads
  for each row execute function public.touch_updated_at();

create table public.upload_parts (
  upload_id uuid not null references public.uploads (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  part_number integer not null check (part_number between 1 and 10000),
  etag text not null,
  size bigint not null check (size > 0),
  recorded_at timestamptz not null default now(),
  primary key (upload_id, part_number)
);

-- Timeline -----------------------------------------------------------------------------

create table public.project_events (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  message text not null,
  data jsonb,
  created_at timestamptz not null default now()
);

create index project_events_project_idx on public.project_events (project_id, id);

-- Outbox: events written in the same transaction as the state change they announce ----

create table public.outbox (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete cascade,
  project_id uuid references public.projects (id) on delete cascade,
  event_name text not null,
  event_id text not null unique,
  payload jsonb not null,
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);

create index outbox_unsent_idx on public.outbox (created_at) where sent_at is null;

-- Clips --------------------------------------------------------------------------------

create table public.clips (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  position smallint not null,
  start_seconds double precision not null,
  end_seconds double precision not null check (end_seconds > start_seconds),
  key text not null,
  thumbnail_key text not null,
  share_token text not null unique check (char_length(share_token) >= 22),
  created_at timestamptz not null default now(),
  unique (project_id, position)
);

-- Usage ledger: one row per processed project, ever -----------------------------------

create table public.usage_events (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  project_id uuid not null unique,
  counted_at timestamptz not null default now()
);

create index usage_events_user_period_idx on public.usage_events (user_id, counted_at);

-- Billing ------------------------------------------------------------------------------

create table public.subscriptions (
  user_id uuid primary key references auth.users (id) on delete cascade,
  stripe_customer_id text not null,
  stripe_subscription_id text unique,
  plan text not null default 'free',
  status text not null,
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  payment_failed_at timestamptz,
  last_event_at timestamptz not null,
  updated_at timestamptz not null default now()
);

create trigger subscriptions_touch_updated_at
  before update on public.subscriptions
  for each row execute function public.touch_updated_at();

create table public.stripe_events (
  id text primary key,
  type text not null,
  received_at timestamptz not null default now()
);

-- Outgoing webhooks ---------------------------------------------------------------------

create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  url text not null,
  secret text not null,
  enabled boolean not null default true,
  disabled_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger webhook_endpoints_touch_updated_at
  before update on public.webhook_endpoints
  for each row execute function public.touch_updated_at();

create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  endpoint_id uuid not null references public.webhook_endpoints (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  project_id uuid,
  event_type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);

create index webhook_deliveries_endpoint_idx on public.webhook_deliveries (endpoint_id, created_at desc);

-- Row-level security ---------------------------------------------------------------------

alter table public.profiles enable row level security;
alter table public.projects enable row level security;
alter table public.uploads enable row level security;
alter table public.upload_parts enable row level security;
alter table public.project_events enable row level security;
alter table public.outbox enable row level security;
alter table public.clips enable row level security;
alter table public.usage_events enable row level security;
alter table public.subscriptions enable row level security;
alter table public.stripe_events enable row level security;
alter table public.webhook_endpoints enable row level security;
alter table public.webhook_deliveries enable row level security;

create policy "own profile" on public.profiles
  for select to authenticated using (id = auth.uid());
create policy "update own profile" on public.profiles
  for update to authenticated using (id = auth.uid()) with check (id = auth.uid());

create policy "own projects" on public.projects
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "own uploads" on public.uploads
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "own upload parts" on public.upload_parts
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "own project events" on public.project_events
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "own clips" on public.clips
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "own webhook endpoints" on public.webhook_endpoints
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());

create policy "read own outbox" on public.outbox
  for select to authenticated using (user_id = auth.uid());
create policy "read own usage" on public.usage_events
  for select to authenticated using (user_id = auth.uid());
create policy "read own subscription" on public.subscriptions
  for select to authenticated using (user_id = auth.uid());
create policy "read own webhook deliveries" on public.webhook_deliveries
  for select to authenticated using (user_id = auth.uid());
-- stripe_events: no policy, so only the server (table owner / service_role) can see it.

grant select, update on public.profiles to authenticated;
grant select, insert, update, delete on public.projects, public.uploads, public.upload_parts,
  public.project_events, public.clips, public.webhook_endpoints to authenticated;
grant select on public.outbox, public.usage_events, public.subscriptions,
  public.webhook_deliveries to authenticated;
grant all on all tables in schema public to service_role;
