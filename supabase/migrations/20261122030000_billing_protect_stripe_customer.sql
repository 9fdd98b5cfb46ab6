-- Billing: the Stripe customer a profile points at decides whose subscription and whose
-- Customer Portal a user reaches, so only the server may set it. Users keep updating the
-- rest of their own profile (row-level security still limits them to their own row).

revoke update on public.profiles from authenticated;
grant update (email, updated_at) on public.profiles to authenticated;
