-- A project's title is shown on public share pages. The API refuses control and
-- text-direction characters in it (lib/uploads/check-filename.ts), but people may also
-- rename a project through Supabase's Data API (`update (title)` is the one write the
-- `authenticated` role keeps), so the database holds titles to the same rule: C0 and C1
-- controls, DEL, the line and paragraph separators and every bidirectional formatting
-- character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).

-- Titles written before the rule lose those characters (a title left empty becomes "video").
update public.projects
set title = coalesce(
  nullif(btrim(regexp_replace(title, '[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]', '', 'g')), ''),
  'video')
where title ~ '[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]';

alter table public.projects
  add constraint projects_title_printable
  check (title !~ '[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]');
