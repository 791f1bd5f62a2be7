import type { ResponsePolicy } from './response-policy.js'
import { fail } from './validation-step.js'

/** `destination`: a Response that names its Destination names this ACS. */
export function checkDestination(destination: string, policy: ResponsePolicy): void {
  if (!policy.acsUrls.includes(destination)) {
    fail(
      'ERR_SAML_DESTINATION_MISMATCH',
      `the Response is addressed to "${destination.slice(0, 200)}", not this ACS (${policy.acsUrls[0]})`,
    )
  }
}

/** `signed-destination`: SAML bindings 3.5.5.2, a signed Response must say where it is going. */
export function checkSignedDestination(destination: string | undefined): void {
  if (destination === undefined)
    fail('ERR_SAML_DESTINATION_MISMATCH', 'the signed Response has no Destination')
}
