/**
 * Runs `fn` with Node's Fetch globals watched: their first use loads undici
 * (net/node-response). Resolves with the names touched meanwhile.
 */
export async function fetchGlobalsTouchedBy(fn: () => Promise<void>): Promise<string[]> {
  const names = ['fetch', 'Headers', 'Response', 'Request'] as const;
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)!] as const);
  const touched: string[] = [];
  for (const [n, d] of saved) {
    Object.defineProperty(globalThis, n, { configurable: true, get: () => (touched.push(n), d.get ? d.get.call(globalThis) : d.value) });
  }
  try {
    await fn();
  } finally {
    for (const [n, d] of saved) Object.defineProperty(globalThis, n, d);
  }
  return touched;
}
