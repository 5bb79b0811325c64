/** The `code` of what `fn` throws (undefined if it does not throw). */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`;
  }
  return undefined;
}

/** The `code` a promise rejects with (undefined if it resolves). */
export function rejectedCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { code?: string }).code,
  );
}
