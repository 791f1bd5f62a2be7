// SAML metadata's cacheDuration is an xs:duration. One reader for it, for a single IdP's metadata and
// for a federation aggregate's root alike.

const XS_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
/** Years and months have no fixed length: they count as 365 and 30 days. */
const UNITS_MS = [365 * 86_400_000, 30 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000]

/**
 * A non-negative xs:duration in ms, or undefined when it is not one (a negative one, `P`, `PT`,
 * `P1W`, free text). A huge one is capped at `Number.MAX_SAFE_INTEGER`, so the result is always a
 * value a stored metadata status accepts (a safe non-negative integer), never Infinity.
 */
export function parseXsDurationMs(value: string): number | undefined {
  const m = XS_DURATION.exec(value.trim())
  if (!m) return undefined
  let ms = 0
  UNITS_MS.forEach((unit, i) => {
    const part = m[i + 1]
    if (part !== undefined) ms += Number(part) * unit
  })
  return Math.min(Math.round(ms), Number.MAX_SAFE_INTEGER)
}
