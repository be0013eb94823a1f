/**
 * Like Promise.all, but waits for every promise before it rejects (with the first error).
 * Promise.all rejects at the first error while the rest still run: a caller that retries then
 * races its own unfinished work.
 */
export async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
