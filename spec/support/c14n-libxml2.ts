// libxml2's canonicalizers as an oracle for ours (Debian's xmllint and xmlsec1, both installed by
// scripts/ensure-test-env.sh): `xmllint --c14n` / `--exc-c14n` for whole documents, and xmlsec1 for
// subtrees in context. xmlsec1 signs an element through a Signature template placed inside it, then,
// verifying with --store-references/--store-signatures, prints the exact octets it digested (the
// element minus the enveloped Signature, canonicalized as the Reference says) and signed (SignedInfo,
// canonicalized in its context), which is what a real verifier computes.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keys } from './test-idp.js'
import { XMLSEC1 } from './xmlsec1-signer.js'

export const XMLLINT = '/usr/bin/xmllint'

const C14N_URI = {
  'exc-c14n': 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
} as const

/** `xmllint --c14n` (inclusive) or `--exc-c14n` of a whole document without comments. */
export function xmllintCanonical(xml: string, method: 'c14n' | 'exc-c14n'): string {
  if (xml.includes('<!--')) throw new Error('xmllint writes comments: give it documents without them')
  return execFileSync(XMLLINT, [`--${method}`, '-'], { input: xml, stdio: 'pipe' }).toString('utf8')
}

/** One canonicalization in a Signature template: the algorithm and, for exc-c14n, a PrefixList. */
export interface TemplateC14n {
  method: 'c14n' | 'exc-c14n'
  prefixList?: string
}

function transformXml(tag: string, c14n: TemplateC14n): string {
  const inclusive =
    c14n.prefixList === undefined
      ? ''
      : `<ec:InclusiveNamespaces xmlns:ec="${C14N_URI['exc-c14n']}" PrefixList="${c14n.prefixList}"/>`
  return `<ds:${tag} Algorithm="${C14N_URI[c14n.method]}">${inclusive}</ds:${tag}>`
}

/**
 * A Signature template referencing `#${id}`: SignedInfo canonicalized by `signedInfo`, the Reference
 * by enveloped-signature then `reference` (`'none'`: enveloped-signature alone, inclusive c14n implied).
 */
export function signatureTemplateXml(
  id: string,
  signedInfo: TemplateC14n,
  reference: TemplateC14n | 'none',
): string {
  return (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
    transformXml('CanonicalizationMethod', signedInfo) +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
    `<ds:Reference URI="#${id}"><ds:Transforms>` +
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
    (reference === 'none' ? '' : transformXml('Transform', reference)) +
    '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
    '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>'
  )
}

/** What xmlsec1 canonicalized while signing and verifying a document with one Signature template. */
export interface Xmlsec1Canonical {
  /** The signed document as xmlsec1 wrote it (what ours must be computed from). */
  signed: string
  /** The Reference's octets: the element minus its Signature, canonicalized. */
  referenced: string
  /** SignedInfo, canonicalized. */
  signedInfo: string
}

function between(out: string, what: 'PreDigest' | 'PreSigned'): string {
  const start = `== ${what} data - start buffer:\n`
  const from = out.indexOf(start)
  const to = out.indexOf(`\n== ${what} data - end buffer`, from)
  if (from < 0 || to < 0) throw new Error(`xmlsec1 printed no ${what} buffer`)
  return out.slice(from + start.length, to)
}

/**
 * Signs `xml` (holding one template, inside the element whose `ID` it references) with xmlsec1 and
 * returns the octets xmlsec1 digested and signed. `idElement` is `namespaceURI:localName`, or
 * `localName` for an element in no namespace.
 */
export function xmlsec1Canonical(xml: string, idElement: string): Xmlsec1Canonical {
  const dir = mkdtempSync(join(tmpdir(), 'c14n-xmlsec1-'))
  try {
    const [keyFile, certFile, input, output] = ['key.pem', 'cert.pem', 'in.xml', 'signed.xml'].map((f) =>
      join(dir, f),
    )
    writeFileSync(keyFile!, keys.idpAcme.key)
    writeFileSync(certFile!, keys.idpAcme.cert)
    writeFileSync(input!, xml)
    const idAttr = ['--id-attr:ID', idElement]
    execFileSync(
      XMLSEC1,
      ['--sign', '--privkey-pem', `${keyFile},${certFile}`, ...idAttr, '--output', output!, input!],
      {
        stdio: 'pipe',
      },
    )
    const printed = execFileSync(
      XMLSEC1,
      [
        '--verify',
        '--store-references',
        '--store-signatures',
        '--pubkey-cert-pem',
        certFile!,
        ...idAttr,
        output!,
      ],
      { stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 },
    ).toString('utf8')
    return {
      signed: readFileSync(output!, 'utf8'),
      referenced: between(printed, 'PreDigest'),
      signedInfo: between(printed, 'PreSigned'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
