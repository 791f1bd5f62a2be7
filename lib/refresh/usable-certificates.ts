import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import { unusableSigningCertificate } from '../xmldsig/trusted-keys.js'

/**
 * Decodes, with OpenSSL, the certificates an IdP's logins (`signing`) or metadata refreshes
 * (`metadataSigning`) will verify with. Records check certificates by their DER shape alone, so a
 * federation of thousands imports quickly (lib/metadata/certificate-der.ts); the one-IdP paths —
 * an admin's write, a refresh, an MDQ lookup — call this before they write, so neither an admin
 * nor a refresh can store a record whose logins all fail (a refresh then keeps the last good
 * metadata). Throws `SamlError` with `code`, naming the certificate and what OpenSSL said.
 */
export function checkUsableCertificates(
  idp: string,
  certificates: { readonly signing: readonly string[]; readonly metadataSigning?: readonly string[] },
  code: SamlErrorCode,
  where: string,
): void {
  const lists = [
    ['signing certificate', certificates.signing],
    ['pinned metadata signing certificate', certificates.metadataSigning ?? []],
  ] as const
  for (const [what, pems] of lists) {
    pems.forEach((pem, index) => {
      const unusable = unusableSigningCertificate(pem)
      if (unusable !== undefined) {
        throw new SamlError(
          `IdP "${idp}": ${where}: ${what} #${index + 1} cannot be used: ${unusable}`,
          code,
          {
            idp,
          },
        )
      }
    })
  }
}
