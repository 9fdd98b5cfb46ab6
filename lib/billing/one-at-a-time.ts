const running = new Map<string, Promise<unknown>>();

/**
 * Runs `task` once every task this process started earlier under the same key has ended
 * (whether it succeeded or not). Only within this process: other servers are not waited
 * for, so what has to hold across servers is still up to the database and Stripe.
 */
export async function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
  const earlier = running.get(key) ?? Promise.resolve();
  const mine = earlier.then(
    () => task(),
    () => task(),
  );
  running.set(key, mine);
  try {
    return await mine;
  } finally {
    if (running.get(key) === mine) running.delete(key);
  }
}
