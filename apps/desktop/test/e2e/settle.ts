/**
 * Bounded teardown for tests that start hubs and engines: a shutdown that does not
 * finish is reported on stderr, not waited on until the hook times out, so the
 * tests that ran keep their result and the report says which part hung.
 */
/** Waits for `p` at most `ms`; on time-out or failure, says so on stderr and goes on. */
export async function settleWithin(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const outcome = await Promise.race([p.then(() => 'ok', (e: unknown) => `failed: ${String(e)}`), late]);
  clearTimeout(timer);
  if (outcome !== 'ok') process.stderr.write(`teardown: ${what} (${outcome === 'timeout' ? `${ms} ms` : outcome})\n`);
}
