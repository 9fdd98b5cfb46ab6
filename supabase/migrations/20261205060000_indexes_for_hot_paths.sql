-- Indexes for the queries that run most often, each named after what it serves.
-- tests/integration/db-indexes.test.ts checks with EXPLAIN that those queries use them.

-- The live project list asks every second, per open tab, for the person's projects
-- changed since its last answer (listProjectsChangedSince: user_id = $1 and
-- updated_at > $2 order by updated_at, id). Without it Postgres read all of that person's
-- projects through projects_user_created_idx and sorted them, every second.
create index projects_user_updated_idx on public.projects (user_id, updated_at, id);

-- A project's outbox rows: the status-change events sent after every transition
-- (sendStatusChangeEvents), the reconciler's "is a request for this project still
-- unsent" checks, and the cascade when a project is deleted, which otherwise read the
-- whole outbox once per deleted project.
create index outbox_project_idx on public.outbox (project_id);

-- A person's webhook deliveries of one message (createDeliveries, after every status
-- change), the row-level-security filter user_id = auth.uid(), and the cascade when an
-- account is deleted.
create index webhook_deliveries_user_message_idx on public.webhook_deliveries (user_id, message_id);

-- The attempt log read with a delivery (filtered by user_id as well as delivery_id), the
-- row-level-security filter, and the cascade when an account is deleted.
create index webhook_delivery_attempts_user_idx on public.webhook_delivery_attempts (user_id);
