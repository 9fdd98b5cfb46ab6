import type { Db } from "@/lib/db/client";

export async function findUserIdByStripeCustomer(db: Db, stripeCustomerId: string): Promise<string | null> {
  const [row] = await db<{ id: string }[]>`
    select id from profiles where stripe_customer_id = ${stripeCustomerId}`;
  return row?.id ?? null;
}

/** The user's Stripe customer id (null before one was stored), creating their profile row if missing. */
export async function getStripeCustomerIdCreatingProfile(db: Db, user: { id: string; email?: string }): Promise<string | null> {
  await db`insert into profiles (id, email) values (${user.id}, ${user.email ?? null}) on conflict (id) do nothing`;
  const [profile] = await db<{ stripe_customer_id: string | null }[]>`
    select stripe_customer_id from profiles where id = ${user.id}`;
  return profile?.stripe_customer_id ?? null;
}

/**
 * Stores the user's Stripe customer id unless one is stored already, and returns the one
 * stored now: this one, or the one that was there first (null when the profile is gone).
 */
export async function storeStripeCustomerId(
  db: Db,
  params: { userId: string; stripeCustomerId: string },
): Promise<string | null> {
  const [stored] = await db<{ stripe_customer_id: string }[]>`
    update profiles set stripe_customer_id = ${params.stripeCustomerId}, updated_at = now()
    where id = ${params.userId} and stripe_customer_id is null
    returning stripe_customer_id`;
  if (stored) return stored.stripe_customer_id;
  // A statement of its own: its snapshot includes the write that got there first.
  const [first] = await db<{ stripe_customer_id: string | null }[]>`
    select stripe_customer_id from profiles where id = ${params.userId}`;
  return first?.stripe_customer_id ?? null;
}
