/**
 * Orders strings by UTF-16 code unit, as JavaScript's `<` does and as SQL's `COLLATE "C"` does on
 * the ASCII ids records have: the order `IdpStore.list` pages in, whatever the locale.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
