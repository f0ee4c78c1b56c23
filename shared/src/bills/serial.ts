// Closes of one series wait for each other inside a process, so concurrent closes in one Lambda or in the local
// runtime do not race for the same number and retry; across processes the conditional transaction decides and the
// loser retries (docs/decisions.md "Gapless numbering").

const tails = new Map<string, Promise<unknown>>();

/**
 * Run `task` after every earlier task with the same key has settled (in call order), in this process.
 * @example await serialized(`${tenantId}#invoice#2026`, () => issue(bill))
 */
export function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
