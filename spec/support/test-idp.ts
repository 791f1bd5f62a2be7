/**
 * A test identity provider built from real SAML implementations, so specs never hand-write response XML.
 *
 * - samlify (as IdP) renders the unsigned `<Response>` from its login response template, publishes the
 *   IdP metadata, and rebinds namespace prefixes (`tagPrefix`).
 * - @xmldom/xmldom's DOM API adds what samlify's template has no slot for (AuthnStatement, multi-valued
 *   AttributeStatement, second-level status, the Entra-style default namespace, ...).
 * - xml-crypto's `SignedXml` signs (plus a small ECDSA signer it lacks), and @authenio/xml-encryption
 *   (samlify's own encryption library) encrypts.
 *
 * Steps run in the order real IdPs use: build, sign the Assertion, encrypt it, sign the Response.
 *
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign as cryptoSign,
  verify as cryptoVerify,
  type BinaryLike,
  type KeyLike,
  type KeyObject,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import samlify from 'samlify'
import type { IdentityProviderInstance } from 'samlify'
import { SignedXml, createOptionalCallbackFunction, type SignatureAlgorithm } from 'xml-crypto'

// ---------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------

/** A PEM private key and its self-signed PEM certificate. */
export interface KeyPair {
  key: string
  cert: string
}

/** Names of the test key pairs in `spec/fixtures/keys`. */
export type KeyName = 'idpAcme' | 'idpAcmeNext' | 'idpGlobex' | 'idpEc' | 'sp' | 'spNext' | 'attacker'

const KEY_FILES: Record<KeyName, string> = {
  idpAcme: 'idp-acme',
  idpAcmeNext: 'idp-acme-next',
  idpGlobex: 'idp-globex',
  idpEc: 'idp-ec',
  sp: 'sp',
  spNext: 'sp-next',
  attacker: 'attacker',
}

function readKeyPair(file: string): KeyPair {
  const dir = new URL('../fixtures/keys/', import.meta.url)
  return {
    key: readFileSync(new URL(`${file}.key.pem`, dir), 'utf8'),
    cert: readFileSync(new URL(`${file}.cert.pem`, dir), 'utf8'),
  }
}

/**
 * The test key pairs, PEM text read once from `spec/fixtures/keys`. All RSA-2048 except `idpEc`
 * (ECDSA P-256). `attacker` is trusted by no IdP record.
 */
export const keys: Readonly<Record<KeyName, KeyPair>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(KEY_FILES) as KeyName[]).map((name) => [name, Object.freeze(readKeyPair(KEY_FILES[name]))]),
  ) as Record<KeyName, KeyPair>,
)

const privateKeyCache = new Map<string, KeyObject>()
const publicKeyCache = new Map<string, KeyObject>()

/** Parses a PEM private key once; later calls return the cached `KeyObject`. */
function privateKeyObject(pem: string): KeyObject {
  let key = privateKeyCache.get(pem)
  if (!key) privateKeyCache.set(pem, (key = createPrivateKey(pem)))
  return key
}

/** Parses a PEM certificate (or public key) once; later calls return the cached `KeyObject`. */
function publicKeyObject(pem: string): KeyObject {
  let key = publicKeyCache.get(pem)
  if (!key) publicKeyCache.set(pem, (key = createPublicKey(pem)))
  return key
}

// ---------------------------------------------------------------------------------------------------------
// Namespaces and algorithm URIs
// ---------------------------------------------------------------------------------------------------------

/** Namespace URIs the test IdP writes. */
export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const

/** Short signature algorithm names accepted by {@link ResponseOptions.signatureAlgorithm}. */
export type SignatureAlgorithmName = 'rsa-sha256' | 'rsa-sha512' | 'rsa-sha1' | 'ecdsa-sha256'
/** Short digest algorithm names accepted by {@link ResponseOptions.digestAlgorithm}. */
export type DigestAlgorithmName = 'sha256' | 'sha512' | 'sha1'
/** Short canonicalization names accepted by {@link ResponseOptions.canonicalization}. */
export type CanonicalizationName = 'exc-c14n' | 'c14n' | 'exc-c14n-with-comments' | 'c14n-with-comments'
/** Short block cipher names accepted by {@link EncryptOptions.dataAlgorithm}. */
export type DataEncryptionAlgorithmName =
  'aes128-gcm' | 'aes256-gcm' | 'aes128-cbc' | 'aes256-cbc' | 'tripledes-cbc'
/** Short key transport names accepted by {@link EncryptOptions.keyAlgorithm}. */
export type KeyEncryptionAlgorithmName = 'rsa-oaep-mgf1p' | 'rsa-1_5'

/** Algorithm URIs, keyed by the short names the options use. */
export const ALGORITHMS = {
  signature: {
    'rsa-sha256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'rsa-sha512': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
    'rsa-sha1': 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    'ecdsa-sha256': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  } satisfies Record<SignatureAlgorithmName, string>,
  digest: {
    sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
    sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
    sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  } satisfies Record<DigestAlgorithmName, string>,
  data: {
    'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
    'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    'aes128-cbc': 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
    'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
    'tripledes-cbc': 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
  } satisfies Record<DataEncryptionAlgorithmName, string>,
  key: {
    'rsa-oaep-mgf1p': 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    'rsa-1_5': 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
  } satisfies Record<KeyEncryptionAlgorithmName, string>,
  c14n: {
    'exc-c14n': 'http://www.w3.org/2001/10/xml-exc-c14n#',
    c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
    'exc-c14n-with-comments': 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
    'c14n-with-comments': 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  } satisfies Record<CanonicalizationName, string>,
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const

/** SAML URNs used as defaults. */
export const SAML_URN = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  bearer: 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecifiedNameId: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  passwordProtectedTransport: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  attrnameUnspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

/** Settings of one test IdP; they also feed its samlify metadata. */
export interface TestIdpOptions {
  /** The IdP's entityID, written as `<Issuer>`. */
  entityId: string
  /** SingleSignOnService location (Redirect and POST bindings). */
  ssoUrl: string
  /** SingleLogoutService location; no SingleLogoutService when omitted. */
  sloUrl?: string
  /** Key pair that signs responses (unless a response overrides it with `signingKey`). */
  signing: KeyPair
  /** PEM certificates listed as additional signing KeyDescriptors in metadata (key rotation). */
  extraSigningCerts?: string[]
  /** `WantAuthnRequestsSigned` in metadata. Default false. */
  wantAuthnRequestsSigned?: boolean
}

/** One `<Attribute>` of the AttributeStatement. */
export interface TestAttribute {
  name: string
  friendlyName?: string
  /** Default `urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified`. */
  nameFormat?: string
  /** One `<AttributeValue xsi:type="xs:string">` each, xs/xsi declared on the value as Okta does. */
  values: string[]
}

/** Encryption of the (already signed) Assertion into an `<EncryptedAssertion>`. */
export interface EncryptOptions {
  /** The SP's encryption certificate (PEM). */
  cert: string
  /** Default `aes256-gcm`. */
  dataAlgorithm?: DataEncryptionAlgorithmName
  /** Default `rsa-oaep-mgf1p`. */
  keyAlgorithm?: KeyEncryptionAlgorithmName
}

/**
 * Prefix style of the response:
 * - `saml`: `samlp:` / `saml:` (samlify's default template),
 * - `saml2`: `saml2p:` / `saml2:` (Okta, Shibboleth),
 * - `default`: `samlp:` Response whose Issuer and Assertion use the default namespace, with an
 *   unprefixed `<Signature xmlns="...xmldsig#">`, as Microsoft Entra ID sends.
 */
export type NamespaceStyle = 'saml' | 'saml2' | 'default'

/** Everything one response may vary. Omitted fields give a fully valid response for the SP. */
export interface ResponseOptions {
  /** The SP's entityID: the Audience. */
  spEntityId: string
  /** The SP's ACS URL: Destination and Recipient. */
  acsUrl: string
  /** The AuthnRequest ID. Omitted: IdP-initiated, no InResponseTo anywhere. */
  inResponseTo?: string
  /** Default `alice@example.com`. */
  nameId?: string
  /** Default emailAddress. */
  nameIdFormat?: string
  /** Default a random `_...` ID. */
  sessionIndex?: string
  /** AttributeStatement content; no AttributeStatement when omitted or empty. */
  attributes?: TestAttribute[]
  /** Clock of the IdP: IssueInstant, AuthnInstant and the validity window derive from it. Default now. */
  now?: Date
  /** Conditions NotBefore = now - this. Default 0. */
  notBeforeSkewMs?: number
  /** Conditions and SubjectConfirmationData NotOnOrAfter = now + this. Default 5 minutes. */
  validForMs?: number
  /** AuthnStatement SessionNotOnOrAfter; omitted when not given. */
  sessionNotOnOrAfter?: Date
  /** AuthnContextClassRef. Default PasswordProtectedTransport. */
  authnContextClassRef?: string
  /** Sign the Response (after any encryption). Default false. */
  signResponse?: boolean
  /** Sign the Assertion (before any encryption). Default true. */
  signAssertion?: boolean
  /** Key pair that signs instead of the IdP's own (attacker, rotation). Its cert goes in KeyInfo. */
  signingKey?: KeyPair
  /** Certificate put in KeyInfo instead of the signing one (e.g. the trusted cert over an attacker's signature). */
  keyInfoCert?: string
  /** Default `ecdsa-sha256` for an EC key, else `rsa-sha256`. */
  signatureAlgorithm?: SignatureAlgorithmName
  /** Default `sha256`. */
  digestAlgorithm?: DigestAlgorithmName
  /** SignedInfo's CanonicalizationMethod. Default `exc-c14n`. */
  canonicalization?: CanonicalizationName
  /**
   * The Reference's transform after enveloped-signature. Default `canonicalization`; `'none'` leaves
   * enveloped-signature alone, for which XML-DSig implies inclusive c14n.
   */
  referenceCanonicalization?: CanonicalizationName | 'none'
  /** `InclusiveNamespaces PrefixList` on the exc-c14n reference transform, e.g. `'xs'` as Okta sends. */
  inclusiveNamespacesPrefixList?: string
  /** X509Data/X509Certificate in each Signature's KeyInfo. Default true. */
  includeKeyInfo?: boolean
  /** Encrypt the signed Assertion into an EncryptedAssertion. */
  encrypt?: EncryptOptions
  /** Encrypt the Subject's NameID into an EncryptedID (before the Assertion is signed). */
  encryptNameId?: EncryptOptions
  /** Encrypt every Attribute into an EncryptedAttribute (before the Assertion is signed). */
  encryptAttributes?: EncryptOptions
  /** Response Issuer (and Assertion Issuer unless `assertionIssuer` is set). Default the IdP entityID. */
  issuer?: string
  /** Assertion Issuer. Default `issuer`. */
  assertionIssuer?: string
  /** Audience. Default `spEntityId`. */
  audience?: string
  /** Response Destination. Default `acsUrl`. */
  destination?: string
  /** SubjectConfirmationData Recipient. Default `acsUrl`. */
  recipient?: string
  /** SubjectConfirmation Method. Default bearer. */
  subjectConfirmationMethod?: string
  /** Top-level StatusCode. Default Success. */
  statusCode?: string
  /** StatusMessage; omitted when not given. */
  statusMessage?: string
  /** Nested second-level StatusCode; omitted when not given. */
  secondLevelStatus?: string
  /** Include the Assertion. Default true for a Success status, false otherwise (as IdPs do). */
  includeAssertion?: boolean
  /** Prefix style; default `saml`. */
  namespaceStyle?: NamespaceStyle
  /** Wrap SignatureValue and X509Certificate at 76 characters, as some IdPs do. */
  lineWrapBase64?: boolean
  /** Response ID. Default random `_<uuid>`. */
  responseId?: string
  /** Assertion ID. Default random `_<uuid>`. */
  assertionId?: string
  /**
   * Last edit of the unsigned Response before any signing or encryption, for oddities no option covers
   * (a missing Conditions, two AudienceRestrictions, ...). The result is still properly signed.
   */
  beforeSign?: (doc: Document) => void
}

/** A response as the browser would POST it. */
export interface TestResponse {
  /** The final XML. */
  xml: string
  /** `SAMLResponse` form value: base64 of `xml`. */
  base64: string
  responseId: string
  /** ID of the Assertion (also when it is encrypted); empty when there is no Assertion. */
  assertionId: string
}

// ---------------------------------------------------------------------------------------------------------
// XML helpers
// ---------------------------------------------------------------------------------------------------------

const parser = new DOMParser()
const serializer = new XMLSerializer()

function parse(xml: string): Document {
  return parser.parseFromString(xml, 'text/xml')
}

function serialize(node: Node): string {
  return serializer.serializeToString(node)
}

/**
 * Parses `xml` with @xmldom/xmldom, lets `fn` edit the DOM (move, copy or alter nodes, e.g. for XML
 * signature wrapping attacks) and serializes it back. Signatures are not recomputed.
 */
export function mutateXml(xml: string, fn: (doc: Document) => void): string {
  const doc = parse(xml)
  fn(doc)
  return serialize(doc)
}

/** Base64 of the UTF-8 bytes of `xml`, as the `SAMLResponse` form field carries it. */
export function reencode(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64')
}

function childElements(parent: Node, localName?: string, ns?: string): Element[] {
  const out: Element[] = []
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue
    const el = n as Element
    if (
      (localName === undefined || el.localName === localName) &&
      (ns === undefined || el.namespaceURI === ns)
    ) {
      out.push(el)
    }
  }
  return out
}

function firstChild(parent: Node, localName: string, ns: string): Element {
  const el = childElements(parent, localName, ns)[0]
  if (!el) throw new Error(`test-idp: no <${localName}> under <${(parent as Element).localName}>`)
  return el
}

function wrap76(base64: string): string {
  return (base64.replace(/\s+/g, '').match(/.{1,76}/g) ?? []).join('\n')
}

/** Line-wraps SignatureValue and X509Certificate of the Signature that is a direct child of `parent`. */
function lineWrapSignature(parent: Element): void {
  for (const signature of childElements(parent, 'Signature', NS.dsig)) {
    const value = firstChild(signature, 'SignatureValue', NS.dsig)
    value.textContent = wrap76(value.textContent ?? '')
    for (const keyInfo of childElements(signature, 'KeyInfo', NS.dsig)) {
      for (const data of childElements(keyInfo, 'X509Data', NS.dsig)) {
        for (const cert of childElements(data, 'X509Certificate', NS.dsig)) {
          cert.textContent = wrap76(cert.textContent ?? '')
        }
      }
    }
  }
}

/**
 * Rebuilds `el` and its SAML assertion-namespace descendants with unprefixed names and a default
 * namespace declaration, the way Microsoft Entra ID writes its Assertion.
 */
function toDefaultNamespace(doc: Document, el: Element, declare: boolean): Element {
  const copy = doc.createElementNS(NS.assertion, el.localName)
  if (declare) copy.setAttributeNS(NS.xmlns, 'xmlns', NS.assertion)
  for (let i = 0; i < el.attributes.length; i++) {
    const attr = el.attributes.item(i)!
    // The prefixed declaration of the assertion namespace is no longer used.
    if (attr.namespaceURI === NS.xmlns && attr.value === NS.assertion) continue
    copy.setAttributeNS(attr.namespaceURI, attr.name, attr.value)
  }
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === NS.assertion) {
      copy.appendChild(toDefaultNamespace(doc, n as Element, false))
    } else {
      copy.appendChild(n.cloneNode(true))
    }
  }
  return copy
}

// ---------------------------------------------------------------------------------------------------------
// samlify
// ---------------------------------------------------------------------------------------------------------

const TAG_PREFIXES: Record<Exclude<NamespaceStyle, 'default'>, { protocol: string; assertion: string }> = {
  saml: { protocol: 'samlp', assertion: 'saml' },
  saml2: { protocol: 'saml2p', assertion: 'saml2' },
}

/** Runs `fn` with samlify's construction-time console warnings (e.g. "missing SingleLogoutService") muted. */
function quietly<T>(fn: () => T): T {
  const warn = console.warn
  console.warn = () => {}
  try {
    return fn()
  } finally {
    console.warn = warn
  }
}

// ---------------------------------------------------------------------------------------------------------
// xml-crypto: ECDSA signer and an Okta-shaped InclusiveNamespaces
// ---------------------------------------------------------------------------------------------------------

function asKeyObject(key: KeyLike, create: (pem: string | Buffer) => KeyObject): KeyObject {
  return typeof key === 'string' || Buffer.isBuffer(key) ? create(key) : key
}

/**
 * ECDSA-SHA256 for xml-crypto, which ships RSA signers only. XML DSig 1.1 wants the raw `r || s`
 * signature (IEEE P1363), not DER.
 */
export class EcdsaSha256 implements SignatureAlgorithm {
  getSignature = createOptionalCallbackFunction((signedInfo: BinaryLike, privateKey: KeyLike): string =>
    cryptoSign('sha256', typeof signedInfo === 'string' ? Buffer.from(signedInfo, 'utf8') : signedInfo, {
      key: asKeyObject(privateKey, createPrivateKey),
      dsaEncoding: 'ieee-p1363',
    }).toString('base64'),
  )

  verifySignature = createOptionalCallbackFunction(
    (material: string, key: KeyLike, signatureValue: string): boolean =>
      cryptoVerify(
        'sha256',
        Buffer.from(material),
        { key: asKeyObject(key, createPublicKey), dsaEncoding: 'ieee-p1363' },
        Buffer.from(signatureValue, 'base64'),
      ),
  )

  getAlgorithmName = (): string => ALGORITHMS.signature['ecdsa-sha256']
}

type AddAllReferences = (doc: Document, signatureElem: Element, ...rest: unknown[]) => void

/**
 * Makes `sig` write `InclusiveNamespaces` only on the exc-c14n transform, as
 * `<ec:InclusiveNamespaces xmlns:ec="...exc-c14n#" PrefixList="xs"/>` exactly like Okta. (xml-crypto
 * itself adds one under every transform, enveloped-signature included.) It wraps xml-crypto's
 * (TypeScript-private) `addAllReferences`, which runs after the references are built and before
 * SignedInfo is signed, so the signature covers the fixed-up SignedInfo.
 */
function oktaStyleInclusiveNamespaces(sig: SignedXml): void {
  const target = sig as unknown as { addAllReferences?: AddAllReferences }
  const base = target.addAllReferences
  if (typeof base !== 'function')
    throw new Error('test-idp: xml-crypto no longer has SignedXml#addAllReferences')
  target.addAllReferences = function (doc, signatureElem, ...rest) {
    base.call(this, doc, signatureElem, ...rest)
    const signedInfo = firstChild(signatureElem, 'SignedInfo', NS.dsig)
    for (const reference of childElements(signedInfo, 'Reference', NS.dsig)) {
      for (const transforms of childElements(reference, 'Transforms', NS.dsig)) {
        for (const transform of childElements(transforms, 'Transform', NS.dsig)) {
          for (const inclusive of childElements(transform, 'InclusiveNamespaces')) {
            transform.removeChild(inclusive)
            if (transform.getAttribute('Algorithm') !== ALGORITHMS.excC14n) continue
            const ec = doc.createElementNS(NS.excC14n, 'ec:InclusiveNamespaces')
            ec.setAttributeNS(NS.xmlns, 'xmlns:ec', NS.excC14n)
            ec.setAttribute('PrefixList', inclusive.getAttribute('PrefixList') ?? '')
            transform.appendChild(ec)
          }
        }
      }
    }
  }
}

interface SignStep {
  /** XPath of the signed element. */
  target: string
  /** XPath of the element the Signature goes right after. */
  after: string
  key: KeyPair
  keyInfoCert: string | undefined
  includeKeyInfo: boolean
  signatureAlgorithm: string
  digestAlgorithm: string
  prefixList: string | undefined
  canonicalization: CanonicalizationName
  referenceCanonicalization: CanonicalizationName | 'none'
  /** `ds` or '' (unprefixed, default namespace). */
  prefix: string
}

const certBodyCache = new Map<string, string>()

/**
 * xml-crypto `getKeyInfoContent` hook writing `<X509Data><X509Certificate>` for `certPem`, as xml-crypto's
 * default does, minus its per-call certificate parsing (a tenth of the cost of a response).
 */
function x509DataContent(certPem: string): (args?: { prefix?: string | null }) => string {
  let body = certBodyCache.get(certPem)
  if (body === undefined) {
    body = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')
    certBodyCache.set(certPem, body)
  }
  const certificate = body
  return (args) => {
    const p = args?.prefix ? `${args.prefix}:` : ''
    return `<${p}X509Data><${p}X509Certificate>${certificate}</${p}X509Certificate></${p}X509Data>`
  }
}

/** Enveloped signature of `step.target` (exc-c14n unless asked otherwise), placed right after `step.after`. */
function signXml(xml: string, step: SignStep): string {
  const sig = new SignedXml({
    idAttribute: 'ID',
    privateKey: privateKeyObject(step.key.key),
    getKeyInfoContent: step.includeKeyInfo ? x509DataContent(step.keyInfoCert ?? step.key.cert) : () => null,
    signatureAlgorithm: step.signatureAlgorithm,
    canonicalizationAlgorithm: ALGORITHMS.c14n[step.canonicalization],
  })
  sig.SignatureAlgorithms[ALGORITHMS.signature['ecdsa-sha256']] = EcdsaSha256
  const prefixList = step.prefixList?.split(/\s+/).filter(Boolean) ?? []
  if (prefixList.length > 0) oktaStyleInclusiveNamespaces(sig)
  sig.addReference({
    xpath: step.target,
    transforms:
      step.referenceCanonicalization === 'none'
        ? [ALGORITHMS.envelopedSignature]
        : [ALGORITHMS.envelopedSignature, ALGORITHMS.c14n[step.referenceCanonicalization]],
    digestAlgorithm: step.digestAlgorithm,
    inclusiveNamespacesPrefixList: prefixList,
  })
  sig.computeSignature(xml, {
    prefix: step.prefix || undefined,
    location: { reference: step.after, action: 'after' },
  })
  return sig.getSignedXml()
}

// ---------------------------------------------------------------------------------------------------------
// xml-encryption (samlify's fork @authenio/xml-encryption; untyped, hence the local interface)
// ---------------------------------------------------------------------------------------------------------

interface XmlEncryptOptions {
  rsa_pub: KeyLike
  pem: string
  encryptionAlgorithm: string
  keyEncryptionAlgorithm: string
  warnInsecureAlgorithm?: boolean
  disallowEncryptionWithInsecureAlgorithm?: boolean
}
interface XmlEncryption {
  encrypt(
    content: string,
    options: XmlEncryptOptions,
    callback: (err: Error | null, result?: string) => void,
  ): void
}
const xmlenc = createRequire(import.meta.url)('@authenio/xml-encryption') as XmlEncryption

function encryptXml(content: string, options: XmlEncryptOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(content, options, (err, result) => {
      if (err || !result) reject(err ?? new Error('test-idp: xml-encryption returned nothing'))
      else resolve(result)
    })
  })
}

/** The `xenc:EncryptedData` (XML text) of `element` encrypted as `options` say. */
function encryptElement(element: Element, options: EncryptOptions): Promise<string> {
  return encryptXml(serialize(element), {
    rsa_pub: publicKeyObject(options.cert),
    pem: options.cert,
    encryptionAlgorithm: ALGORITHMS.data[options.dataAlgorithm ?? 'aes256-gcm'],
    keyEncryptionAlgorithm: ALGORITHMS.key[options.keyAlgorithm ?? 'rsa-oaep-mgf1p'],
    warnInsecureAlgorithm: false,
  })
}

// ---------------------------------------------------------------------------------------------------------
// TestIdp
// ---------------------------------------------------------------------------------------------------------

const RESPONSE_XPATH = "/*[local-name(.)='Response']"
const ASSERTION_XPATH = `${RESPONSE_XPATH}/*[local-name(.)='Assertion']`

function newId(): string {
  return `_${randomUUID()}`
}

/**
 * A SAML 2.0 identity provider for specs: samlify renders and publishes, xml-crypto signs,
 * xml-encryption encrypts. Entity objects and parsed keys are built once and reused, so a response
 * costs a few milliseconds.
 */
export class TestIdp {
  readonly entityId: string
  readonly ssoUrl: string
  readonly sloUrl: string | undefined
  readonly signing: KeyPair
  readonly extraSigningCerts: readonly string[]
  readonly wantAuthnRequestsSigned: boolean
  private readonly entities = new Map<string, IdentityProviderInstance>()
  private metadata: string | undefined

  constructor(opts: TestIdpOptions) {
    this.entityId = opts.entityId
    this.ssoUrl = opts.ssoUrl
    this.sloUrl = opts.sloUrl
    this.signing = opts.signing
    this.extraSigningCerts = opts.extraSigningCerts ?? []
    this.wantAuthnRequestsSigned = opts.wantAuthnRequestsSigned ?? false
  }

  /** The IdP's signing certificate (PEM). */
  get cert(): string {
    return this.signing.cert
  }

  /**
   * The samlify IdentityProvider behind this IdP for a prefix style, built on first use. Its
   * `entitySetting.loginResponseTemplate` is the template samlify's `createLoginResponse` hands to a
   * `customTagReplacement` callback.
   */
  samlifyEntity(style: Exclude<NamespaceStyle, 'default'> = 'saml'): IdentityProviderInstance {
    let entity = this.entities.get(style)
    if (!entity) {
      const binding = samlify.Constants.namespace.binding
      entity = quietly(() =>
        samlify.IdentityProvider({
          entityID: this.entityId,
          signingCert: [this.signing.cert, ...this.extraSigningCerts],
          wantAuthnRequestsSigned: this.wantAuthnRequestsSigned,
          nameIDFormat: [SAML_URN.emailAddress, SAML_URN.unspecifiedNameId],
          singleSignOnService: [
            { Binding: binding.redirect, Location: this.ssoUrl },
            { Binding: binding.post, Location: this.ssoUrl },
          ],
          singleLogoutService: this.sloUrl
            ? [
                { Binding: binding.redirect, Location: this.sloUrl },
                { Binding: binding.post, Location: this.sloUrl },
              ]
            : [],
          tagPrefix: TAG_PREFIXES[style],
          // Handing samlify its default template makes it apply `tagPrefix` to it.
          loginResponseTemplate: { context: samlify.SamlLib.defaultLoginResponseTemplate.context },
        }),
      )
      this.entities.set(style, entity)
    }
    return entity
  }

  /**
   * The IdP's SAML metadata as samlify's `IdentityProvider#getMetadata()` writes it: one signing
   * KeyDescriptor for `signing.cert` and one per `extraSigningCerts` entry, SSO (and SLO) services for
   * the Redirect and POST bindings.
   */
  metadataXml(): string {
    return (this.metadata ??= this.samlifyEntity('saml').getMetadata())
  }

  /**
   * Builds a Response the way a real IdP does: render the unsigned Response, sign the Assertion,
   * encrypt it, sign the Response, each step as the options ask.
   */
  async createResponse(opts: ResponseOptions): Promise<TestResponse> {
    const style = opts.namespaceStyle ?? 'saml'
    const statusCode = opts.statusCode ?? SAML_URN.success
    const includeAssertion = opts.includeAssertion ?? statusCode === SAML_URN.success
    const responseId = opts.responseId ?? newId()
    const assertionId = opts.assertionId ?? newId()

    const doc = this.buildUnsigned(opts, style, statusCode, includeAssertion, responseId, assertionId)
    opts.beforeSign?.(doc)
    let xml = serialize(doc)

    const signingKey = opts.signingKey ?? this.signing
    const isEc = privateKeyObject(signingKey.key).asymmetricKeyType === 'ec'
    const signStep = {
      key: signingKey,
      keyInfoCert: opts.keyInfoCert,
      includeKeyInfo: opts.includeKeyInfo ?? true,
      signatureAlgorithm:
        ALGORITHMS.signature[opts.signatureAlgorithm ?? (isEc ? 'ecdsa-sha256' : 'rsa-sha256')],
      digestAlgorithm: ALGORITHMS.digest[opts.digestAlgorithm ?? 'sha256'],
      prefixList: opts.inclusiveNamespacesPrefixList,
      canonicalization: opts.canonicalization ?? 'exc-c14n',
      referenceCanonicalization: opts.referenceCanonicalization ?? opts.canonicalization ?? 'exc-c14n',
      prefix: style === 'default' ? '' : 'ds',
    }

    // 0. Encrypt the NameID and the Attributes inside the Assertion, which the signature then covers.
    if (includeAssertion && (opts.encryptNameId || opts.encryptAttributes)) {
      const unsigned = parse(xml)
      const inner: [Element, EncryptOptions, string][] = []
      const nameId = unsigned.getElementsByTagNameNS(NS.assertion, 'NameID')[0]
      if (opts.encryptNameId && nameId) inner.push([nameId, opts.encryptNameId, 'EncryptedID'])
      for (const attribute of opts.encryptAttributes
        ? Array.from(unsigned.getElementsByTagNameNS(NS.assertion, 'Attribute'))
        : [])
        inner.push([attribute, opts.encryptAttributes!, 'EncryptedAttribute'])
      for (const [element, encryption, wrapperName] of inner) {
        const wrapper = unsigned.createElementNS(
          NS.assertion,
          element.prefix ? `${element.prefix}:${wrapperName}` : wrapperName,
        )
        wrapper.appendChild(
          unsigned.importNode(parse(await encryptElement(element, encryption)).documentElement!, true),
        )
        element.parentNode!.replaceChild(wrapper, element)
      }
      xml = serialize(unsigned)
    }

    // 1. Sign the Assertion: enveloped signature right after its Issuer.
    const signAssertion = includeAssertion && (opts.signAssertion ?? true)
    if (signAssertion) {
      xml = signXml(xml, {
        ...signStep,
        target: ASSERTION_XPATH,
        after: `${ASSERTION_XPATH}/*[local-name(.)='Issuer']`,
      })
    }

    // 2. Encrypt the (signed) Assertion into an EncryptedAssertion.
    const encrypt = includeAssertion ? opts.encrypt : undefined
    if (encrypt || (signAssertion && opts.lineWrapBase64)) {
      const signed = parse(xml)
      const response = signed.documentElement!
      const assertion = firstChild(response, 'Assertion', NS.assertion)
      if (signAssertion && opts.lineWrapBase64) lineWrapSignature(assertion)
      if (encrypt) {
        const encryptedData = await encryptElement(assertion, encrypt)
        const qname =
          style === 'default' ? 'EncryptedAssertion' : `${TAG_PREFIXES[style].assertion}:EncryptedAssertion`
        const wrapper = signed.createElementNS(NS.assertion, qname)
        if (style === 'default') wrapper.setAttributeNS(NS.xmlns, 'xmlns', NS.assertion)
        wrapper.appendChild(signed.importNode(parse(encryptedData).documentElement!, true))
        response.replaceChild(wrapper, assertion)
      }
      xml = serialize(signed)
    }

    // 3. Sign the Response: enveloped signature right after its Issuer.
    if (opts.signResponse) {
      xml = signXml(xml, {
        ...signStep,
        target: RESPONSE_XPATH,
        after: `${RESPONSE_XPATH}/*[local-name(.)='Issuer']`,
      })
      if (opts.lineWrapBase64) xml = mutateXml(xml, (d) => lineWrapSignature(d.documentElement!))
    }

    return { xml, base64: reencode(xml), responseId, assertionId: includeAssertion ? assertionId : '' }
  }

  /**
   * The unsigned Response: samlify's login response template filled by `SamlLib.replaceTagsByValue`
   * (what a `customTagReplacement` callback of `createLoginResponse` does), then DOM edits for what the
   * template has no placeholder for.
   */
  private buildUnsigned(
    opts: ResponseOptions,
    style: NamespaceStyle,
    statusCode: string,
    includeAssertion: boolean,
    responseId: string,
    assertionId: string,
  ): Document {
    const now = opts.now ?? new Date()
    const nowIso = now.toISOString()
    const notOnOrAfter = new Date(now.getTime() + (opts.validForMs ?? 5 * 60_000)).toISOString()
    const issuer = opts.issuer ?? this.entityId

    const entity = this.samlifyEntity(style === 'default' ? 'saml' : style)
    const template = entity.entitySetting.loginResponseTemplate?.context
    if (!template) throw new Error('test-idp: samlify gave no login response template')
    // Undefined values make replaceTagsByValue drop the attribute (InResponseTo when IdP-initiated).
    const xml = samlify.SamlLib.replaceTagsByValue(template, {
      ID: responseId,
      AssertionID: assertionId,
      IssueInstant: nowIso,
      Destination: opts.destination ?? opts.acsUrl,
      InResponseTo: opts.inResponseTo,
      Issuer: issuer,
      StatusCode: statusCode,
      NameIDFormat: opts.nameIdFormat ?? SAML_URN.emailAddress,
      NameID: opts.nameId ?? 'alice@example.com',
      SubjectConfirmationDataNotOnOrAfter: notOnOrAfter,
      SubjectRecipient: opts.recipient ?? opts.acsUrl,
      ConditionsNotBefore: new Date(now.getTime() - (opts.notBeforeSkewMs ?? 0)).toISOString(),
      ConditionsNotOnOrAfter: notOnOrAfter,
      Audience: opts.audience ?? opts.spEntityId,
      AuthnStatement: '',
      AttributeStatement: '',
    })

    const doc = parse(xml)
    const response = doc.documentElement!
    const samlPrefix = style === 'saml2' ? 'saml2' : 'saml'
    const protocolPrefix = style === 'saml2' ? 'saml2p' : 'samlp'
    const saml = (name: string): Element => doc.createElementNS(NS.assertion, `${samlPrefix}:${name}`)

    // Status: second-level code and message.
    const status = firstChild(response, 'Status', NS.protocol)
    if (opts.secondLevelStatus) {
      const nested = doc.createElementNS(NS.protocol, `${protocolPrefix}:StatusCode`)
      nested.setAttribute('Value', opts.secondLevelStatus)
      firstChild(status, 'StatusCode', NS.protocol).appendChild(nested)
    }
    if (opts.statusMessage !== undefined) {
      const message = doc.createElementNS(NS.protocol, `${protocolPrefix}:StatusMessage`)
      message.textContent = opts.statusMessage
      status.appendChild(message)
    }

    const assertion = firstChild(response, 'Assertion', NS.assertion)
    if (!includeAssertion) {
      response.removeChild(assertion)
    } else {
      if (opts.assertionIssuer !== undefined) {
        firstChild(assertion, 'Issuer', NS.assertion).textContent = opts.assertionIssuer
      }
      if (opts.subjectConfirmationMethod !== undefined) {
        const subject = firstChild(assertion, 'Subject', NS.assertion)
        firstChild(subject, 'SubjectConfirmation', NS.assertion).setAttribute(
          'Method',
          opts.subjectConfirmationMethod,
        )
      }

      const authn = saml('AuthnStatement')
      authn.setAttribute('AuthnInstant', nowIso)
      authn.setAttribute('SessionIndex', opts.sessionIndex ?? newId())
      if (opts.sessionNotOnOrAfter)
        authn.setAttribute('SessionNotOnOrAfter', opts.sessionNotOnOrAfter.toISOString())
      const context = saml('AuthnContext')
      const classRef = saml('AuthnContextClassRef')
      classRef.textContent = opts.authnContextClassRef ?? SAML_URN.passwordProtectedTransport
      context.appendChild(classRef)
      authn.appendChild(context)
      assertion.appendChild(authn)

      if (opts.attributes?.length) {
        const statement = saml('AttributeStatement')
        for (const attribute of opts.attributes) {
          const el = saml('Attribute')
          el.setAttribute('Name', attribute.name)
          if (attribute.friendlyName !== undefined) el.setAttribute('FriendlyName', attribute.friendlyName)
          el.setAttribute('NameFormat', attribute.nameFormat ?? SAML_URN.attrnameUnspecified)
          for (const value of attribute.values) {
            const v = saml('AttributeValue')
            v.setAttributeNS(NS.xmlns, 'xmlns:xs', NS.xs)
            v.setAttributeNS(NS.xmlns, 'xmlns:xsi', NS.xsi)
            v.setAttributeNS(NS.xsi, 'xsi:type', 'xs:string')
            v.textContent = value
            el.appendChild(v)
          }
          statement.appendChild(el)
        }
        assertion.appendChild(statement)
      }

      if (style === 'default') response.replaceChild(toDefaultNamespace(doc, assertion, true), assertion)
    }

    if (style === 'default') {
      // Entra: `<samlp:Response xmlns:samlp=...><Issuer xmlns="...assertion">`.
      response.replaceChild(
        toDefaultNamespace(doc, firstChild(response, 'Issuer', NS.assertion), true),
        firstChild(response, 'Issuer', NS.assertion),
      )
      response.removeAttribute('xmlns:saml')
    }
    return doc
  }
}
