// Signing and verifying with xmlsec1 (libxmlsec, C; Debian's `xmlsec1`, installed by `npm test`):
// the signer pysaml2 and many in-house IdPs use, and an implementation of XML-DSig and both
// canonicalizations independent of xml-crypto. The spec puts a Signature template into the document;
// xmlsec1 computes the digest, the signature and the KeyInfo certificate.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALGORITHMS, NS, type CanonicalizationName, type KeyPair } from './test-idp.js'

export const XMLSEC1 = '/usr/bin/xmlsec1'

/** How the template asks xmlsec1 to sign. */
export interface TemplateOptions {
  /** `ID` of the element the Reference points at. */
  referenceId: string
  /** SignedInfo's CanonicalizationMethod. */
  canonicalization: CanonicalizationName
  /** The transform after enveloped-signature; `'none'` for enveloped-signature alone. */
  referenceCanonicalization: CanonicalizationName | 'none'
  /** `ds` (default) or `''`: the Signature in the default namespace, as Entra writes it. */
  prefix?: 'ds' | ''
  /**
   * An `ec:InclusiveNamespaces` with this PrefixList in SignedInfo's CanonicalizationMethod and the
   * Reference's c14n transform (both exclusive c14n, then).
   */
  prefixList?: string
}

/**
 * A `ds:Signature` template (empty DigestValue, SignatureValue and X509Data) for `options`, RSA-SHA256
 * over a SHA-256 digest, to be placed inside the element it signs.
 */
export function signatureTemplate(doc: Document, options: TemplateOptions): Element {
  const prefix = options.prefix ?? 'ds'
  const el = (parent: Element | null, name: string, algorithm?: string): Element => {
    const child = doc.createElementNS(NS.dsig, prefix ? `${prefix}:${name}` : name)
    if (algorithm) child.setAttribute('Algorithm', algorithm)
    parent?.appendChild(child)
    return child
  }
  const signature = el(null, 'Signature')
  signature.setAttributeNS(NS.xmlns, prefix ? `xmlns:${prefix}` : 'xmlns', NS.dsig)
  const inclusiveNamespaces = (method: Element) => {
    if (options.prefixList === undefined) return
    const list = doc.createElementNS(NS.excC14n, 'ec:InclusiveNamespaces')
    list.setAttributeNS(NS.xmlns, 'xmlns:ec', NS.excC14n)
    list.setAttribute('PrefixList', options.prefixList)
    method.appendChild(list)
  }
  const signedInfo = el(signature, 'SignedInfo')
  inclusiveNamespaces(el(signedInfo, 'CanonicalizationMethod', ALGORITHMS.c14n[options.canonicalization]))
  el(signedInfo, 'SignatureMethod', ALGORITHMS.signature['rsa-sha256'])
  const reference = el(signedInfo, 'Reference')
  reference.setAttribute('URI', `#${options.referenceId}`)
  const transforms = el(reference, 'Transforms')
  el(transforms, 'Transform', ALGORITHMS.envelopedSignature)
  if (options.referenceCanonicalization !== 'none') {
    inclusiveNamespaces(el(transforms, 'Transform', ALGORITHMS.c14n[options.referenceCanonicalization]))
  }
  el(reference, 'DigestMethod', ALGORITHMS.digest.sha256)
  el(reference, 'DigestValue')
  el(signature, 'SignatureValue')
  el(el(signature, 'KeyInfo'), 'X509Data')
  return signature
}

/** The element whose `ID` attribute xmlsec1 must register, as `namespaceURI:localName`. */
export type IdElement = `${string}:${string}`

function inTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'xmlsec1-'))
  try {
    return work(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Fills in every Signature template of `xml` with xmlsec1, signing with `key`. */
export function signWithXmlsec1(xml: string, key: KeyPair, idElement: IdElement): string {
  return inTempDir((dir) => {
    const keyFile = join(dir, 'key.pem')
    const certFile = join(dir, 'cert.pem')
    const input = join(dir, `${randomUUID()}.xml`)
    const output = join(dir, 'signed.xml')
    writeFileSync(keyFile, key.key)
    writeFileSync(certFile, key.cert)
    writeFileSync(input, xml)
    execFileSync(
      XMLSEC1,
      [
        '--sign',
        '--privkey-pem',
        `${keyFile},${certFile}`,
        '--id-attr:ID',
        idElement,
        '--output',
        output,
        input,
      ],
      { stdio: 'pipe' },
    )
    return readFileSync(output, 'utf8')
  })
}

/** xmlsec1's verdict on the first Signature inside the element `idElement` names, with `cert` only. */
export function xmlsec1Verifies(xml: string, cert: string, idElement: IdElement): boolean {
  const localName = idElement.slice(idElement.lastIndexOf(':') + 1)
  return inTempDir((dir) => {
    const input = join(dir, 'in.xml')
    const certFile = join(dir, 'cert.pem')
    writeFileSync(input, xml)
    writeFileSync(certFile, cert)
    try {
      execFileSync(
        XMLSEC1,
        [
          '--verify',
          '--id-attr:ID',
          idElement,
          '--pubkey-cert-pem',
          certFile,
          '--node-xpath',
          `//*[local-name()='${localName}']/*[local-name()='Signature']`,
          input,
        ],
        { stdio: 'pipe' },
      )
      return true
    } catch {
      return false
    }
  })
}

/**
 * What xmlsec1 digested for the Reference of the Signature in the element `idElement` names (its
 * pre-digest buffer), after checking that the signature verifies with `cert`.
 */
export function xmlsec1PreDigest(xml: string, cert: string, idElement: IdElement): string {
  return inTempDir((dir) => {
    const input = join(dir, 'in.xml')
    const certFile = join(dir, 'cert.pem')
    writeFileSync(input, xml)
    writeFileSync(certFile, cert)
    const out = execFileSync(
      XMLSEC1,
      [
        '--verify',
        '--store-references',
        '--print-debug',
        '--id-attr:ID',
        idElement,
        '--pubkey-cert-pem',
        certFile,
        input,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    ).toString('utf8')
    const start = '== PreDigest data - start buffer:\n'
    const from = out.indexOf(start) + start.length
    const to = out.indexOf('\n== PreDigest data - end buffer', from)
    if (from < start.length || to <= from) throw new Error('xmlsec1 printed no pre-digest buffer')
    return out.slice(from, to)
  })
}
