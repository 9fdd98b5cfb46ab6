-- process-video claims a project for one run before doing any work. A duplicate delivery
-- of `video/process` (a resent event, a second event id for the same project) finds the
-- project claimed by another run and stops, so outputs and usage are made once; a retried
-- step of the same run recognises its own claim.
alter table public.projects add column processing_run_id text;
