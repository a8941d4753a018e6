/** Text that should be JSON: the value, or the reason it is not (for an error notice). */
export function parseJson(text: string, what: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `${what} is not JSON: ${(err as Error).message}` };
  }
}
