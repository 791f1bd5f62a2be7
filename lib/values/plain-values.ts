// Checks on values that arrive as JSON (records from an admin API, a file or a database row),
// shared by every validator so they describe and accept values the same way.

/** How a value reads in an error message: `null`, `an array`, or its `typeof`. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

/** A plain object (an object literal or JSON object), not an array, a class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
