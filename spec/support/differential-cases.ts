/**
 * The valid responses and attacks of the differential spec (spec/security/differential.spec.ts),
 * shared so other specs run the very same inputs. Build them at {@link NOW} with `Date` frozen
 * (`mock.timers.enable({ apis: ['Date'], now: NOW })`): their validity windows derive from it.
 */
import assert from 'node:assert/strict'
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml'
import { createPrivateKey } from 'node:crypto'
import type { SamlErrorCode } from '../../lib/errors/saml-error.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import type { ResponsePolicy } from '../../lib/validate/validate-response.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import { assertionJob, encryptWithSantuario, XENC, type SantuarioJob } from './santuario.js'
import { keys, mutateXml, NS, reencode, TestIdp, type ResponseOptions } from './test-idp.js'

export const NOW = Date.parse('2026-03-02T10:00:00.000Z')
export const SKEW_MS = 60_000
export const SP_ENTITY_ID = 'https://sp.example.test/saml/acme/metadata'
export const ACS_URL = 'https://sp.example.test/saml/acme/acs'
const VALID_FOR_MS = 5 * 60_000

export const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcme,
})
const acmeEc = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpEc,
})

/** How both validators are configured for a case. */
export interface Setup {
  /** IdP signing certificates trusted by both validators. Default the acme certificate. */
  certs?: string[]
  wantAssertionsSigned?: boolean
  wantResponseSigned?: boolean
  allowSha1?: boolean
}

/** One response and what our validator must do with it. */
export interface Case {
  name: string
  setup?: Setup
  /** What our validator must do: accept, or reject with this code. */
  ours: 'accept' | SamlErrorCode
  /** The posted SAMLResponse (base64). */
  make: () => Promise<string>
}

const attributes = [
  { name: 'email', values: ['alice@acme.test'] },
  { name: 'groups', values: ['admins', 'staff'] },
]

function options(extra: Partial<ResponseOptions> = {}): ResponseOptions {
  return {
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    now: new Date(NOW),
    nameId: 'alice@acme.test',
    attributes,
    ...extra,
  }
}

const respond =
  (extra: Partial<ResponseOptions> = {}, idp: TestIdp = acme) =>
  async (): Promise<string> =>
    (await idp.createResponse(options(extra))).base64

const mutate = (extra: Partial<ResponseOptions>, fn: (doc: Document) => void) => async (): Promise<string> =>
  reencode(mutateXml((await acme.createResponse(options(extra))).xml, fn))

const edit = (extra: Partial<ResponseOptions>, fn: (xml: string) => string) => async (): Promise<string> => {
  const { xml } = await acme.createResponse(options(extra))
  const changed = fn(xml)
  assert.notEqual(changed, xml, 'the edit must change the response')
  return reencode(changed)
}

/** A valid response whose signed Assertion Santuario encrypted (to the SP's key, AES-256-GCM by default). */
const santuarioAssertion = (job: Partial<Omit<SantuarioJob, 'xml'>>) => async (): Promise<string> => {
  const { xml } = await acme.createResponse(options())
  const [encrypted] = await encryptWithSantuario([{ ...assertionJob(job), xml }])
  return reencode(encrypted!)
}

/** An encrypted response (xml-encryption: the EncryptedKey inline) edited after encryption. */
const mutateEncrypted = (fn: (doc: Document, wrapper: Element) => void) =>
  mutate({ encrypt: { cert: keys.sp.cert } }, (doc) =>
    fn(doc, first(doc, NS.assertion, 'EncryptedAssertion')),
  )

// ----- DOM helpers for the mutations ----------------------------------------------------------------

function first(root: Document | Element, ns: string, local: string): Element {
  const el = root.getElementsByTagNameNS(ns, local)[0]
  assert.ok(el, `no <${local}>`)
  return el
}

function child(parent: Element, ns: string, local: string): Element | undefined {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === ns)
      return n as Element
  }
  return undefined
}

/** A copy of the signed assertion, unsigned, saying the user is mallory. */
function forgedCopy(original: Element, keepSignature = false, newId = '_evil'): Element {
  const evil = original.cloneNode(true) as Element
  const signature = child(evil, NS.dsig, 'Signature')
  if (signature && !keepSignature) evil.removeChild(signature)
  first(evil, NS.assertion, 'NameID').textContent = 'mallory@evil.test'
  if (newId) evil.setAttribute('ID', newId)
  return evil
}

function extensionsOf(doc: Document): Element {
  const response = doc.documentElement!
  const ext = doc.createElementNS(NS.protocol, 'samlp:Extensions')
  response.insertBefore(ext, first(doc, NS.protocol, 'Status'))
  return ext
}

function junk(doc: Document, count: number, nested: boolean): Element {
  const root = doc.createElementNS('urn:x-junk', 'j:x')
  root.setAttributeNS(NS.xmlns, 'xmlns:j', 'urn:x-junk')
  let parent = root
  for (let i = 0; i < count; i++) {
    const el = doc.createElementNS('urn:x-junk', 'j:x')
    parent.appendChild(el)
    if (nested) parent = el
  }
  return root
}

function withDoctype(xml: string, doctype: string): string {
  return xml.replace(/^(<\?xml[^>]*\?>)?/, `$1${doctype}`)
}

// ----- The cases ------------------------------------------------------------------------------------

const responseSignedOnly: Setup = { wantAssertionsSigned: false }
const encryptTo = (dataAlgorithm: 'aes256-gcm' | 'aes128-gcm' | 'aes128-cbc' | 'aes256-cbc') => ({
  cert: keys.sp.cert,
  dataAlgorithm,
})

/** Valid responses of every shape: both validators must accept each. */
export const validCases: readonly Case[] = [
  { name: 'assertion signed', ours: 'accept', make: respond() },
  {
    name: 'response signed, assertion unsigned',
    setup: responseSignedOnly,
    ours: 'accept',
    make: respond({ signAssertion: false, signResponse: true }),
  },
  {
    name: 'response and assertion signed, both required',
    setup: { wantResponseSigned: true },
    ours: 'accept',
    make: respond({ signResponse: true }),
  },
  { name: 'saml2 prefixes', ours: 'accept', make: respond({ namespaceStyle: 'saml2' }) },
  {
    name: 'default namespace (Entra shape), both signed',
    ours: 'accept',
    make: respond({ namespaceStyle: 'default', signResponse: true }),
  },
  {
    name: 'InclusiveNamespaces PrefixList xs (Okta shape)',
    ours: 'accept',
    make: respond({ namespaceStyle: 'saml2', inclusiveNamespacesPrefixList: 'xs', signResponse: true }),
  },
  {
    name: 'line-wrapped base64 in signatures',
    ours: 'accept',
    make: respond({ lineWrapBase64: true, signResponse: true }),
  },
  { name: 'no KeyInfo', ours: 'accept', make: respond({ includeKeyInfo: false }) },
  {
    name: 'rsa-sha512 with sha512 digest',
    ours: 'accept',
    make: respond({ signatureAlgorithm: 'rsa-sha512', digestAlgorithm: 'sha512' }),
  },
  {
    name: 'rsa-sha1 signature with allowSha1',
    setup: { allowSha1: true },
    ours: 'accept',
    make: respond({ signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' }),
  },
  {
    name: 'encrypted AES-256-GCM, signed assertion',
    ours: 'accept',
    make: respond({ encrypt: encryptTo('aes256-gcm') }),
  },
  {
    name: 'encrypted AES-128-GCM inside a signed response',
    setup: responseSignedOnly,
    ours: 'accept',
    make: respond({ encrypt: encryptTo('aes128-gcm'), signAssertion: false, signResponse: true }),
  },
  {
    name: 'encrypted AES-128-CBC, signed assertion',
    ours: 'accept',
    make: respond({ encrypt: encryptTo('aes128-cbc') }),
  },
  {
    name: 'encrypted AES-256-CBC, default namespace',
    ours: 'accept',
    make: respond({ encrypt: encryptTo('aes256-cbc'), namespaceStyle: 'default' }),
  },
  {
    name: 'rotated certificate: signed by the new key, both certs trusted',
    setup: { certs: [keys.idpAcme.cert, keys.idpAcmeNext.cert] },
    ours: 'accept',
    make: respond({ signingKey: keys.idpAcmeNext }),
  },
  {
    name: 'rotated certificate: signed by the old key, both certs trusted',
    setup: { certs: [keys.idpAcmeNext.cert, keys.idpAcme.cert] },
    ours: 'accept',
    make: respond({ includeKeyInfo: false }),
  },
  {
    name: 'inclusive c14n for SignedInfo and the Reference',
    ours: 'accept',
    make: respond({ canonicalization: 'c14n' }),
  },
  {
    name: 'inclusive c14n, both signed, default namespace (Entra shape)',
    setup: { wantResponseSigned: true },
    ours: 'accept',
    make: respond({ canonicalization: 'c14n', signResponse: true, namespaceStyle: 'default' }),
  },
  {
    name: 'enveloped-signature transform alone (inclusive c14n implied), saml2 prefixes',
    ours: 'accept',
    make: respond({ referenceCanonicalization: 'none', namespaceStyle: 'saml2' }),
  },
  {
    name: 'inclusive c14n SignedInfo over an exclusive c14n Reference',
    ours: 'accept',
    make: respond({ canonicalization: 'c14n', referenceCanonicalization: 'exc-c14n' }),
  },
  {
    name: 'Conditions expired but within the clock skew',
    ours: 'accept',
    make: respond({ now: new Date(NOW - VALID_FOR_MS - SKEW_MS + 1000) }),
  },
  {
    name: 'NotBefore in the future but within the clock skew',
    ours: 'accept',
    make: respond({ now: new Date(NOW + SKEW_MS - 1000) }),
  },
  {
    name: 'no Response Issuer, no Destination (unsigned Response)',
    ours: 'accept',
    make: respond({
      beforeSign: (doc) => {
        const response = doc.documentElement!
        response.removeChild(child(response, NS.assertion, 'Issuer')!)
        response.removeAttribute('Destination')
      },
    }),
  },
  {
    name: 'OneTimeUse, two audiences, two AudienceRestrictions',
    ours: 'accept',
    make: respond({
      beforeSign: (doc) => {
        const conditions = first(doc, NS.assertion, 'Conditions')
        const restriction = first(conditions, NS.assertion, 'AudienceRestriction')
        const other = doc.createElementNS(NS.assertion, 'saml:Audience')
        other.textContent = 'https://other-sp.test'
        restriction.insertBefore(other, restriction.firstChild)
        conditions.appendChild(restriction.cloneNode(true))
        conditions.appendChild(doc.createElementNS(NS.assertion, 'saml:OneTimeUse'))
      },
    }),
  },
  {
    name: 'attribute without values and a nil value',
    ours: 'accept',
    make: respond({
      attributes: [...attributes, { name: 'empty', values: [] }, { name: 'nil', values: [''] }],
      beforeSign: (doc) => {
        const values = doc.getElementsByTagNameNS(NS.assertion, 'AttributeValue')
        const last = values[values.length - 1]!
        last.setAttributeNS(NS.xsi, 'xsi:nil', 'true')
      },
    }),
  },
  {
    name: 'CRLF line endings in signed content (XML 1.0 end-of-line handling)',
    ours: 'accept',
    make: async () => {
      const extra = { attributes: [...attributes, { name: 'address', values: ['1 Main St\nSpringfield'] }] }
      const { xml } = await acme.createResponse(options({ ...extra, signResponse: true }))
      assert.match(xml, /St\nSpringfield/)
      return reencode(xml.replace(/\n/g, '\r\n'))
    },
  },
  {
    name: 'UTF-8 byte order mark',
    ours: 'accept',
    make: async () => reencode(`\uFEFF${(await acme.createResponse(options())).xml}`),
  },
  {
    name: 'ecdsa-sha256 signed assertion',
    setup: { certs: [keys.idpEc.cert] },
    ours: 'accept',
    make: respond({}, acmeEc),
  },
  // --- XML Encryption beyond the EncryptedAssertion, and other encryptors ---
  {
    name: 'EncryptedID in the signed assertion',
    ours: 'accept',
    make: respond({ encryptNameId: { cert: keys.sp.cert } }),
  },
  {
    name: 'EncryptedAttributes in the signed assertion',
    ours: 'accept',
    make: respond({ encryptAttributes: { cert: keys.sp.cert, dataAlgorithm: 'aes128-cbc' } }),
  },
  {
    name: 'Santuario: rsa-oaep-mgf1p, EncryptedKey beside by RetrievalMethod',
    ours: 'accept',
    make: santuarioAssertion({ keyAlgorithm: XENC.rsaOaepMgf1p, placement: 'retrieval' }),
  },
  {
    name: 'Santuario: xenc11 rsa-oaep, SHA-256 and MGF1-SHA-256',
    ours: 'accept',
    make: santuarioAssertion({ digest: XENC.sha256, mgf: XENC.mgf1sha256 }),
  },
  {
    name: 'Santuario: rsa-oaep-mgf1p with a SHA-256 digest',
    ours: 'accept',
    make: santuarioAssertion({ keyAlgorithm: XENC.rsaOaepMgf1p, digest: XENC.sha256 }),
  },
]

/** Attacks and malformed input: our validator must refuse each with its code. */
export const attackCases: readonly Case[] = [
  // --- signature wrapping ---
  {
    name: 'xsw: signed assertion moved into Extensions, forged one in its place',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const evil = forgedCopy(original)
      doc.documentElement!.replaceChild(evil, original)
      extensionsOf(doc).appendChild(original)
    }),
  },
  {
    name: 'xsw: forged assertion with the same ID, signed one in Extensions',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const evil = forgedCopy(original, false, '')
      doc.documentElement!.replaceChild(evil, original)
      extensionsOf(doc).appendChild(original)
    }),
  },
  {
    name: 'xsw: signed assertion inside the Advice of a forged one',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const evil = forgedCopy(original)
      const advice = doc.createElementNS(NS.assertion, 'saml:Advice')
      evil.insertBefore(advice, first(evil, NS.assertion, 'Conditions').nextSibling)
      doc.documentElement!.replaceChild(evil, original)
      advice.appendChild(original)
    }),
  },
  {
    name: 'xsw: signed assertion inside ds:Object of the forged one',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const evil = forgedCopy(original, true)
      const object = doc.createElementNS(NS.dsig, 'ds:Object')
      child(evil, NS.dsig, 'Signature')!.appendChild(object)
      doc.documentElement!.replaceChild(evil, original)
      object.appendChild(original)
    }),
  },
  {
    name: 'xsw: second, unsigned assertion after the signed one',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      doc.documentElement!.appendChild(forgedCopy(first(doc, NS.assertion, 'Assertion')))
    }),
  },
  {
    name: 'xsw: forged assertion before the signed one',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      doc.documentElement!.insertBefore(forgedCopy(original), original)
    }),
  },
  {
    name: 'xsw: signed assertion duplicated',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      doc.documentElement!.appendChild(first(doc, NS.assertion, 'Assertion').cloneNode(true))
    }),
  },
  {
    name: 'xsw: signed response copied into its own ds:Object, outer one forged',
    setup: responseSignedOnly,
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({ signAssertion: false, signResponse: true }, (doc) => {
      const response = doc.documentElement!
      const copy = response.cloneNode(true) as Element
      response.setAttribute('ID', '_evil')
      first(response, NS.assertion, 'NameID').textContent = 'mallory@evil.test'
      const object = doc.createElementNS(NS.dsig, 'ds:Object')
      child(response, NS.dsig, 'Signature')!.appendChild(object)
      object.appendChild(copy)
    }),
  },
  {
    name: 'xsw: unsigned forged assertion in a signed response, whose signature is moved to Extensions',
    setup: responseSignedOnly,
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({ signAssertion: false, signResponse: true }, (doc) => {
      const response = doc.documentElement!
      const signature = child(response, NS.dsig, 'Signature')!
      response.removeChild(signature)
      extensionsOf(doc).appendChild(signature)
      first(doc, NS.assertion, 'NameID').textContent = 'mallory@evil.test'
    }),
  },
  {
    name: 'duplicate IDs: Response and Assertion share one',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({ responseId: '_same', assertionId: '_same' }),
  },
  // --- content changed after signing ---
  {
    name: 'comment injected into NameID after signing',
    ours: 'ERR_SAML_MALFORMED',
    make: edit({ nameId: 'alice@acme.test.evil.test' }, (xml) =>
      xml.replace('alice@acme.test.evil.test<', 'alice@acme.test<!---->.evil.test<'),
    ),
  },
  {
    name: 'comment injected into NameID after signing (inclusive c14n)',
    ours: 'ERR_SAML_MALFORMED',
    make: edit({ nameId: 'alice@acme.test.evil.test', canonicalization: 'c14n' }, (xml) =>
      xml.replace('alice@acme.test.evil.test<', 'alice@acme.test<!---->.evil.test<'),
    ),
  },
  {
    name: 'inclusive c14n: a namespace declared on the Response after signing',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: mutate({ canonicalization: 'c14n' }, (doc) =>
      doc.documentElement!.setAttributeNS(NS.xmlns, 'xmlns:late', 'urn:x-late'),
    ),
  },
  {
    name: 'inclusive c14n: an xml:lang set on the Response after signing',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: mutate({ canonicalization: 'c14n' }, (doc) =>
      doc.documentElement!.setAttributeNS('http://www.w3.org/XML/1998/namespace', 'xml:lang', 'de'),
    ),
  },
  {
    name: 'attribute value changed after signing',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: edit({}, (xml) => xml.replace('>admins<', '>superadmins<')),
  },
  {
    name: 'NameID changed after signing',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: edit({}, (xml) => xml.replace('>alice@acme.test</', '>mallory@acme.test</')),
  },
  {
    name: 'signed response: IssueInstant changed after signing',
    setup: responseSignedOnly,
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: mutate({ signAssertion: false, signResponse: true }, (doc) => {
      doc.documentElement!.setAttribute('IssueInstant', new Date(NOW + 1000).toISOString())
    }),
  },
  // --- keys ---
  {
    name: 'signed by an attacker key, attacker cert in KeyInfo',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: respond({ signingKey: keys.attacker }),
  },
  {
    name: 'signed by an attacker key, trusted cert in KeyInfo',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: respond({ signingKey: keys.attacker, keyInfoCert: keys.idpAcme.cert }),
  },
  {
    name: "signed by another IdP's key",
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: respond({ signingKey: keys.idpGlobex }),
  },
  {
    name: 'signed by the old key after the old cert was removed',
    setup: { certs: [keys.idpAcmeNext.cert] },
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: respond(),
  },
  {
    name: 'ECDSA signature by an untrusted EC key',
    ours: 'ERR_SAML_SIGNATURE_INVALID',
    make: respond({}, acmeEc),
  },
  // --- signatures missing ---
  {
    name: 'nothing signed',
    setup: responseSignedOnly,
    ours: 'ERR_SAML_SIGNATURE_MISSING',
    make: respond({ signAssertion: false }),
  },
  {
    name: 'assertion unsigned where assertions must be signed',
    ours: 'ERR_SAML_SIGNATURE_MISSING',
    make: respond({ signAssertion: false, signResponse: true }),
  },
  {
    name: 'response unsigned where responses must be signed',
    setup: { wantResponseSigned: true },
    ours: 'ERR_SAML_SIGNATURE_MISSING',
    make: respond(),
  },
  {
    name: 'encrypted, nothing signed',
    setup: responseSignedOnly,
    ours: 'ERR_SAML_SIGNATURE_MISSING',
    make: respond({ signAssertion: false, encrypt: encryptTo('aes256-gcm') }),
  },
  // --- algorithms ---
  {
    name: 'rsa-sha1 signature without allowSha1',
    ours: 'ERR_SAML_SIGNATURE_ALGORITHM',
    make: respond({ signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' }),
  },
  {
    name: 'exclusive c14n WithComments',
    ours: 'ERR_SAML_SIGNATURE_ALGORITHM',
    make: respond({ canonicalization: 'exc-c14n-with-comments', referenceCanonicalization: 'exc-c14n' }),
  },
  {
    name: 'inclusive c14n WithComments',
    ours: 'ERR_SAML_SIGNATURE_ALGORITHM',
    make: respond({ canonicalization: 'c14n-with-comments', referenceCanonicalization: 'c14n' }),
  },
  {
    name: 'WithComments as the Reference transform',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({ referenceCanonicalization: 'c14n-with-comments' }),
  },
  {
    name: 'rsa-1_5 key transport',
    ours: 'ERR_SAML_ENCRYPTION_ALGORITHM',
    make: respond({ encrypt: { cert: keys.sp.cert, keyAlgorithm: 'rsa-1_5' } }),
  },
  {
    name: 'tripledes-cbc content encryption',
    ours: 'ERR_SAML_ENCRYPTION_ALGORITHM',
    make: respond({ encrypt: { cert: keys.sp.cert, dataAlgorithm: 'tripledes-cbc' } }),
  },
  {
    name: 'encrypted to another SP key',
    ours: 'ERR_SAML_DECRYPTION',
    make: respond({ encrypt: { cert: keys.spNext.cert } }),
  },
  // --- time ---
  { name: 'expired', ours: 'ERR_SAML_EXPIRED', make: respond({ now: new Date(NOW - 3_600_000) }) },
  {
    name: 'expired by skew + 1 s',
    ours: 'ERR_SAML_EXPIRED',
    make: respond({ now: new Date(NOW - VALID_FOR_MS - SKEW_MS - 1000) }),
  },
  {
    name: 'not yet valid',
    ours: 'ERR_SAML_NOT_YET_VALID',
    make: respond({ now: new Date(NOW + 3_600_000) }),
  },
  {
    name: 'not yet valid by skew + 1 s',
    ours: 'ERR_SAML_NOT_YET_VALID',
    make: respond({ now: new Date(NOW + SKEW_MS + 1000) }),
  },
  {
    name: 'SubjectConfirmationData expired, Conditions still valid',
    ours: 'ERR_SAML_EXPIRED',
    make: respond({
      beforeSign: (doc) =>
        first(doc, NS.assertion, 'SubjectConfirmationData').setAttribute(
          'NotOnOrAfter',
          new Date(NOW - SKEW_MS - 1000).toISOString(),
        ),
    }),
  },
  {
    name: 'SessionNotOnOrAfter in the past',
    ours: 'ERR_SAML_SESSION_EXPIRED',
    make: respond({ sessionNotOnOrAfter: new Date(NOW - SKEW_MS - 1000) }),
  },
  // --- addressing ---
  {
    name: 'wrong Audience',
    ours: 'ERR_SAML_AUDIENCE_MISMATCH',
    make: respond({ audience: 'https://other-sp.test' }),
  },
  {
    name: 'no Conditions',
    ours: 'ERR_SAML_AUDIENCE_MISMATCH',
    make: respond({
      beforeSign: (doc) => {
        const conditions = first(doc, NS.assertion, 'Conditions')
        conditions.parentNode!.removeChild(conditions)
      },
    }),
  },
  {
    name: 'wrong Destination',
    ours: 'ERR_SAML_DESTINATION_MISMATCH',
    make: respond({ destination: 'https://evil.test/acs' }),
  },
  {
    name: 'wrong Recipient',
    ours: 'ERR_SAML_RECIPIENT_MISMATCH',
    make: respond({ recipient: 'https://evil.test/acs' }),
  },
  {
    name: 'wrong Issuer (signed by the trusted key)',
    ours: 'ERR_SAML_ISSUER_MISMATCH',
    make: respond({ issuer: 'https://idp.evil.test/saml' }),
  },
  {
    name: 'Assertion Issuer differs from the Response Issuer',
    ours: 'ERR_SAML_ISSUER_MISMATCH',
    make: respond({ assertionIssuer: 'https://idp.evil.test/saml' }),
  },
  // --- status, subject, statements ---
  {
    name: 'status Responder, no assertion',
    ours: 'ERR_SAML_STATUS',
    make: respond({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder', statusMessage: 'no' }),
  },
  {
    name: 'status Responder with a signed assertion',
    ours: 'ERR_SAML_STATUS',
    make: respond({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder', includeAssertion: true }),
  },
  {
    name: 'no SubjectConfirmation',
    ours: 'ERR_SAML_SUBJECT',
    make: respond({
      beforeSign: (doc) => {
        const confirmation = first(doc, NS.assertion, 'SubjectConfirmation')
        confirmation.parentNode!.removeChild(confirmation)
      },
    }),
  },
  {
    name: 'holder-of-key SubjectConfirmation only',
    ours: 'ERR_SAML_SUBJECT',
    make: respond({ subjectConfirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }),
  },
  {
    name: 'unknown Condition',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({
      beforeSign: (doc) => {
        const conditions = first(doc, NS.assertion, 'Conditions')
        conditions.appendChild(doc.createElementNS(NS.assertion, 'saml:Condition'))
      },
    }),
  },
  {
    name: 'no AuthnStatement',
    ours: 'ERR_SAML_MALFORMED',
    make: respond({
      beforeSign: (doc) => {
        const authn = first(doc, NS.assertion, 'AuthnStatement')
        authn.parentNode!.removeChild(authn)
      },
    }),
  },
  {
    name: 'Advice inside the signed assertion',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({
      beforeSign: (doc) => {
        const conditions = first(doc, NS.assertion, 'Conditions')
        const advice = doc.createElementNS(NS.assertion, 'saml:Advice')
        const ref = doc.createElementNS(NS.assertion, 'saml:AssertionIDRef')
        ref.textContent = '_other'
        advice.appendChild(ref)
        conditions.parentNode!.insertBefore(advice, conditions.nextSibling)
      },
    }),
  },
  {
    name: 'Response and assertion InResponseTo differ',
    ours: 'ERR_SAML_IN_RESPONSE_TO',
    make: mutate({ inResponseTo: '_request1' }, (doc) =>
      doc.documentElement!.setAttribute('InResponseTo', '_request2'),
    ),
  },
  {
    name: 'Response Version 1.1',
    ours: 'ERR_SAML_MALFORMED',
    make: mutate({}, (doc) => doc.documentElement!.setAttribute('Version', '1.1')),
  },
  // --- XML ---
  {
    name: 'DOCTYPE with an internal entity',
    ours: 'ERR_SAML_XML_DTD',
    make: edit({}, (xml) => withDoctype(xml, '<!DOCTYPE x [<!ENTITY a "b">]>')),
  },
  {
    name: 'billion laughs',
    ours: 'ERR_SAML_XML_DTD',
    make: edit({}, (xml) => {
      const entities = ['<!ENTITY l0 "lol">']
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`)
      return withDoctype(xml, `<!DOCTYPE x [${entities.join('')}]>`)
    }),
  },
  {
    name: 'processing instruction',
    ours: 'ERR_SAML_MALFORMED',
    make: edit({}, (xml) => xml.replace('<saml:Issuer', '<?evil data?><saml:Issuer')),
  },
  {
    name: '20k elements in Extensions',
    ours: 'ERR_SAML_XML_LIMITS',
    make: mutate({}, (doc) => extensionsOf(doc).appendChild(junk(doc, 20_000, false))),
  },
  {
    name: 'deep nesting in Extensions',
    ours: 'ERR_SAML_XML_LIMITS',
    make: mutate({}, (doc) => extensionsOf(doc).appendChild(junk(doc, 200, true))),
  },
  {
    name: 'stray end tags hiding deep nesting',
    ours: 'ERR_SAML_MALFORMED',
    make: edit({}, (xml) =>
      xml.replace(
        /(<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)/,
        `$1<samlp:Extensions>${'</j:x>'.repeat(100)}${'<j:x xmlns:j="urn:x-junk">'.repeat(100)}${'</j:x>'.repeat(100)}</samlp:Extensions>`,
      ),
    ),
  },
  // Well-formedness and namespace rules that xmldom 0.8 (node-saml's parser, and ours before)
  // does not enforce, each put in the unsigned Extensions of a Response whose Assertion is signed.
  ...(
    [
      ['"<" in an attribute value', '<j:x xmlns:j="urn:x-junk" a="<j:y/>"/>'],
      ['"]]>" in text', '<j:x xmlns:j="urn:x-junk">a]]>b</j:x>'],
      ['an undeclared element prefix', '<undeclared:x/>'],
      ['an undeclared attribute prefix', '<j:x xmlns:j="urn:x-junk" undeclared:a="1"/>'],
      ['the xml prefix rebound', '<j:x xmlns:j="urn:x-junk" xmlns:xml="urn:not-xml"/>'],
      [
        'two attributes with one expanded name',
        '<j:x xmlns:j="urn:x-junk" xmlns:k="urn:x-junk" j:a="1" k:a="2"/>',
      ],
    ] as const
  ).map(([what, markup]): Case => ({
    name: `XML: ${what}`,
    ours: 'ERR_SAML_MALFORMED',
    make: edit({}, (xml) =>
      xml.replace(
        /(<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)/,
        `$1<samlp:Extensions>${markup}</samlp:Extensions>`,
      ),
    ),
  })),
  {
    name: 'response over the size cap',
    ours: 'ERR_SAML_TOO_LARGE',
    make: mutate({}, (doc) => {
      const el = junk(doc, 0, false)
      el.textContent = 'x'.repeat(MESSAGE_XML_LIMITS.maxBytes)
      extensionsOf(doc).appendChild(el)
    }),
  },
  {
    name: 'not a Response',
    ours: 'ERR_SAML_MALFORMED',
    make: async () => reencode('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
  },
  // --- schema order and look-alikes in the Response and the Assertion ---
  {
    name: 'Status after the Assertion',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => doc.documentElement!.appendChild(first(doc, NS.protocol, 'Status'))),
  },
  {
    name: 'Response Issuer after the Status',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const response = doc.documentElement!
      response.insertBefore(
        child(response, NS.assertion, 'Issuer')!,
        first(doc, NS.protocol, 'Status').nextSibling,
      )
    }),
  },
  {
    name: 'Extensions after the Status',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const status = first(doc, NS.protocol, 'Status')
      status.parentNode!.insertBefore(
        doc.createElementNS(NS.protocol, 'samlp:Extensions'),
        status.nextSibling,
      )
    }),
  },
  {
    name: 'a samlp:Assertion (protocol namespace) beside the assertion',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const lookalike = doc.createElementNS(NS.protocol, 'samlp:Assertion')
      lookalike.appendChild(doc.createTextNode('mallory@evil.test'))
      original.parentNode!.insertBefore(lookalike, original)
    }),
  },
  {
    name: 'an Assertion of a look-alike namespace before the real one',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutate({}, (doc) => {
      const original = first(doc, NS.assertion, 'Assertion')
      const evil = forgedCopy(original)
      const lookalike = doc.createElementNS(`${NS.assertion}:`, 'x:Assertion')
      while (evil.firstChild) lookalike.appendChild(evil.firstChild)
      original.parentNode!.insertBefore(lookalike, original)
    }),
  },
  {
    name: 'Subject after Conditions, signed so',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({
      beforeSign: (doc) => {
        const subject = first(doc, NS.assertion, 'Subject')
        const conditions = first(doc, NS.assertion, 'Conditions')
        conditions.parentNode!.insertBefore(subject, conditions.nextSibling)
      },
    }),
  },
  {
    name: 'AuthnStatement before the Subject, signed so',
    ours: 'ERR_SAML_STRUCTURE',
    make: respond({
      beforeSign: (doc) => {
        const subject = first(doc, NS.assertion, 'Subject')
        subject.parentNode!.insertBefore(first(doc, NS.assertion, 'AuthnStatement'), subject)
      },
    }),
  },
  // --- XML Encryption structure: misplaced, duplicated, reordered, look-alike ---
  {
    name: 'EncryptedKey before the EncryptedData',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc, wrapper) =>
      wrapper.insertBefore(first(doc, NS.xenc, 'EncryptedKey'), wrapper.firstChild),
    ),
  },
  {
    name: "EncryptedKey wrapped inside another EncryptedKey's KeyInfo",
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const key = first(doc, NS.xenc, 'EncryptedKey')
      first(key, NS.dsig, 'KeyInfo').appendChild(key.cloneNode(true))
    }),
  },
  {
    name: 'a second EncryptedData in the EncryptedAssertion',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc, wrapper) =>
      wrapper.appendChild(first(doc, NS.xenc, 'EncryptedData').cloneNode(true)),
    ),
  },
  {
    name: 'CipherData before the EncryptionMethod',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const data = first(doc, NS.xenc, 'EncryptedData')
      data.insertBefore(child(data, NS.xenc, 'CipherData')!, data.firstChild)
    }),
  },
  {
    name: 'CipherReference in place of the CipherValue',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const data = first(doc, NS.xenc, 'EncryptedData')
      const cipherData = child(data, NS.xenc, 'CipherData')!
      const reference = doc.createElementNS(NS.xenc, 'xenc:CipherReference')
      reference.setAttribute('URI', 'https://evil.test/cipher')
      cipherData.replaceChild(reference, child(cipherData, NS.xenc, 'CipherValue')!)
    }),
  },
  {
    name: 'the only EncryptedKey in a look-alike namespace',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const key = first(doc, NS.xenc, 'EncryptedKey')
      const lookalike = doc.createElementNS('http://www.w3.org/2001/04/xmlenc#x', 'e:EncryptedKey')
      while (key.firstChild) lookalike.appendChild(key.firstChild)
      key.parentNode!.replaceChild(lookalike, key)
    }),
  },
  {
    name: 'RetrievalMethod naming no EncryptedKey',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const method = doc.createElementNS(NS.dsig, 'ds:RetrievalMethod')
      method.setAttribute('Type', 'http://www.w3.org/2001/04/xmlenc#EncryptedKey')
      method.setAttribute('URI', '#nowhere')
      first(first(doc, NS.xenc, 'EncryptedData'), NS.dsig, 'KeyInfo').appendChild(method)
    }),
  },
  {
    name: 'EncryptedData of Type Content',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) =>
      first(doc, NS.xenc, 'EncryptedData').setAttribute('Type', 'http://www.w3.org/2001/04/xmlenc#Content'),
    ),
  },
  {
    name: 'five EncryptedKeys',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc) => {
      const key = first(doc, NS.xenc, 'EncryptedKey')
      for (let i = 0; i < 4; i++) key.parentNode!.appendChild(key.cloneNode(true))
    }),
  },
  {
    name: 'an element of another namespace after the EncryptedKeys',
    ours: 'ERR_SAML_STRUCTURE',
    make: mutateEncrypted((doc, wrapper) => wrapper.appendChild(junk(doc, 0, false))),
  },
  {
    name: 'an MGF under rsa-oaep-mgf1p',
    ours: 'ERR_SAML_ENCRYPTION_ALGORITHM',
    make: mutateEncrypted((doc) => {
      const mgf = doc.createElementNS(NS.xenc11, 'xenc11:MGF')
      mgf.setAttribute('Algorithm', 'http://www.w3.org/2009/xmlenc11#mgf1sha256')
      first(first(doc, NS.xenc, 'EncryptedKey'), NS.xenc, 'EncryptionMethod').appendChild(mgf)
    }),
  },
]

const spKey = createPrivateKey(keys.sp.key)

/** Our validator's policy for a case's setup (node-saml is configured the same way). */
export function casePolicy(setup: Setup): ResponsePolicy {
  return {
    idp: 'acme',
    entityId: acme.entityId,
    spEntityId: SP_ENTITY_ID,
    acsUrls: [ACS_URL],
    trust: compileTrustedKeys(setup.certs ?? [keys.idpAcme.cert], 'acme'),
    decryptionKeys: [spKey],
    wantAssertionsSigned: setup.wantAssertionsSigned ?? true,
    wantResponseSigned: setup.wantResponseSigned ?? false,
    allowSha1: setup.allowSha1 ?? false,
    requireEncryptedAssertions: false,
    requireAesGcm: false,
    clockSkewMs: SKEW_MS,
    limits: MESSAGE_XML_LIMITS,
  }
}

/**
 * node-saml 5 configured as {@link casePolicy} configures ours (the same trust, audience, ACS and
 * clock skew): the profile it accepts the base64 `samlResponse` with, or its error.
 */
export async function nodeSamlProfile(samlResponse: string, setup: Setup): Promise<Profile | null> {
  const saml = new SAML({
    callbackUrl: ACS_URL,
    issuer: SP_ENTITY_ID,
    audience: SP_ENTITY_ID,
    idpIssuer: acme.entityId,
    idpCert: setup.certs ?? [keys.idpAcme.cert],
    wantAssertionsSigned: setup.wantAssertionsSigned ?? true,
    wantAuthnResponseSigned: setup.wantResponseSigned ?? false,
    decryptionPvk: keys.sp.key,
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: SKEW_MS,
  })
  const warn = console.warn
  console.warn = () => {} // xml-encryption warns about the insecure algorithms it accepts
  try {
    return (await saml.validatePostResponseAsync({ SAMLResponse: samlResponse })).profile
  } finally {
    console.warn = warn
  }
}
