-- Every automatic re-drive of a project's job (after a stall, for a queued project no run
-- took, after an embedded-mode restart) is sent with a new event id, because Inngest drops
-- an id it saw in the last 24 hours; this count makes the id. The project's claim, not
-- the id, keeps it to one run.
alter table public.projects add column redrives integer not null default 0;

-- stall_retries counts the automatic restarts since a person last started the project;
-- their Retry (error → queued, or → uploading for a link) gives it a fresh budget.
create or replace function public.reset_automatic_restarts_on_retry() returns trigger
language plpgsql set search_path = '' as $$
begin
  if old.status = 'error' and new.status in ('queued', 'uploading') then
    new.stall_retries := 0;
  end if;
  return new;
end;
$$;

create trigger projects_reset_automatic_restarts
  before update of status on public.projects
  for each row execute function public.reset_automatic_restarts_on_retry();

-- The reconciler's look-ups of projects that wait on a run.
create index projects_waiting_idx on public.projects (last_progress_at)
  where status in ('uploading', 'queued', 'processing');
