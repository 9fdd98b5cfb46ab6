-- The reconciler retries a processing run that stopped making progress once, then fails
-- the project with a clear message. The count lives on the project so a second stall is
-- recognised across reconciler runs and processes.
alter table public.projects add column stall_retries smallint not null default 0;

create index uploads_open_idx on public.uploads (updated_at) where status in ('uploading', 'completing');
