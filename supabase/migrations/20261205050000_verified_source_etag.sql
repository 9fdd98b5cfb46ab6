-- The source object as completion (or an import) verified it: its ETag and size. A
-- presigned PUT stays valid until it expires, so the key can be overwritten after it
-- was checked; processing reads the source only with `If-Match` this ETag and ends in
-- `source_changed` when storage holds something else. Only the server writes these
-- (20261205010000 closed every column but `title` to anon and authenticated, and grants
-- nothing here). A project verified before this migration has nulls: its run pins the
-- ETag it finds when it starts.
alter table public.projects
  add column source_etag text,
  add column source_size bigint check (source_size >= 0);
