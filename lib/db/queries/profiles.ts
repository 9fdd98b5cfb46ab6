import type { Db } from "@/lib/db/client";

export async function findUserIdByStripeCustomer(db: Db, stripeCustomerId: string): Promise<string | null> {
  const [row] = await db<{ id: string }[]>`
    select id from profiles where stripe_customer_id = ${stripeCustomerId}`;
  return row?.id ?? null;
}

/** The user's Stripe customer id (null before checkout first made one), locking the profile row — created if missing — for the transaction. */
export async function lockStripeCustomerId(tx: Db, user: { id: string; email?: string }): Promise<string | null> {
  await tx`insert into profiles (id, email) values (${user.id}, ${user.email ?? null}) on conflict (id) do nothing`;
  const [profile] = await tx<{ stripe_customer_id: string | null }[]>`
    select stripe_customer_id from profiles where id = ${user.id} for update`;
  return profile?.stripe_customer_id ?? null;
}

export async function setStripeCustomerId(db: Db, params: { userId: string; stripeCustomerId: string }): Promise<void> {
  await db`update profiles set stripe_customer_id = ${params.stripeCustomerId}, updated_at = now() where id = ${params.userId}`;
}
