// SAML metadata's validUntil is an xs:dateTime. One reader for it, for a single IdP's metadata and
// for a federation aggregate's root alike: Date.parse alone would also take a bare date, RFC 2822
// text, or a time without zone read in the server's local zone.

const XS_DATE_TIME = /^(-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/

/**
 * An xs:dateTime in epoch ms (one without a zone is read as UTC), or undefined when it is not one
 * (a bare date, free text, an impossible date).
 */
export function parseXsDateTimeMs(value: string): number | undefined {
  const m = XS_DATE_TIME.exec(value.trim())
  const ms = m ? Date.parse(`${m[1]}${m[2] ?? 'Z'}`) : Number.NaN
  return Number.isNaN(ms) ? undefined : ms
}
