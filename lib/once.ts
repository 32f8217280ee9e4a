/**
 * A value computed on first use and shared by every later caller, for what is loaded lazily (a module brought in by
 * `await import()`). A failed load is not kept: the next caller tries again.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      value = load();
      value.catch(() => (value = undefined));
    }
    return value;
  };
}
