import type { KeyObject } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { childElements } from '../xml/dom.js'
import { escapeXmlAttribute } from '../xml/escape-xml.js'
import { parseXml, type XmlLimits } from '../xml/parse-xml.js'
import { CONTENT_ENCRYPTION_ALGORITHMS } from './algorithms.js'
import { decryptContent } from './decrypt-content.js'
import { readKeyTransport } from './key-transport.js'
import { readEncryptedElement } from './read-encrypted-element.js'
import { rsaOaepDecrypt } from './rsa-oaep.js'

export interface DecryptionPolicy {
  /** The SP's private keys, newest first (several during a rotation). */
  readonly keys: readonly KeyObject[]
  readonly requireAesGcm: boolean
  readonly limits: XmlLimits
}

/** What the plaintext must be: one element of this namespace with one of these local names. */
export interface ExpectedElement {
  readonly ns: string
  readonly local: readonly string[]
  /** Names the content in errors: "assertion", "NameID", "attribute". */
  readonly what: string
}

/**
 * Decrypts an encrypted SAML element (EncryptedAssertion, EncryptedID, EncryptedAttribute) with the
 * SP's keys and returns the plaintext element, root of a new document. Structure and algorithms are
 * checked first (`ERR_SAML_STRUCTURE`, `ERR_SAML_ENCRYPTION_ALGORITHM`: they depend on nothing
 * secret); after that every failure (no key fits, bad OAEP, bad padding or tag, unparsable plaintext,
 * an unexpected element) is the same `ERR_SAML_DECRYPTION`, so the sender learns nothing from which
 * step failed.
 */
export function decryptElement(
  wrapper: Element,
  expected: ExpectedElement,
  policy: DecryptionPolicy,
): Element {
  const failed = () =>
    new SamlError(
      `the encrypted ${expected.what} could not be decrypted with this SP's keys`,
      'ERR_SAML_DECRYPTION',
    )
  const parts = readEncryptedElement(wrapper)
  const content = CONTENT_ENCRYPTION_ALGORITHMS.get(parts.algorithm)
  if (!content) {
    throw new SamlError(
      `content encryption ${parts.algorithm} is not accepted; use AES-GCM or AES-CBC`,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  if (content.mode === 'cbc' && policy.requireAesGcm) {
    throw new SamlError(
      'this IdP must encrypt with AES-GCM; it sent AES-CBC',
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  if (parts.keySizeBits !== undefined && parts.keySizeBits !== content.keyLength * 8) {
    throw new SamlError(`KeySize ${parts.keySizeBits} contradicts ${parts.algorithm}`, 'ERR_SAML_STRUCTURE')
  }
  const transports = parts.keys.map((key) => ({ key, transport: readKeyTransport(key) }))

  let plaintext: Buffer | undefined
  search: for (const { key, transport } of transports) {
    for (const spKey of policy.keys) {
      for (const mgfHash of transport.mgfHashes) {
        const cek = rsaOaepDecrypt(spKey, key.cipherValue, transport.oaepHash, mgfHash, transport.label)
        plaintext =
          cek?.length === content.keyLength ? decryptContent(content, cek, parts.cipherValue) : undefined
        if (plaintext) break search
      }
    }
  }
  if (!plaintext) throw failed()

  const root = parsePlaintext(plaintext.toString('utf8'), wrapper, policy.limits)
  if (!root || root.namespaceURI !== expected.ns || !expected.local.includes(root.localName)) throw failed()
  return root
}

/**
 * The decrypted element. Most encryptors serialize it with its namespace declarations; Santuario (and
 * so OpenSAML) leaves out those its context declares, and XML Encryption (4.3) has the decryptor parse
 * it in that context. So: on its own first, else inside an element that declares the namespaces in
 * scope at the wrapper. Undefined when neither gives exactly one element.
 */
function parsePlaintext(text: string, wrapper: Element, limits: XmlLimits): Element | undefined {
  const attempt = (xml: string): Document | undefined => {
    try {
      return parseXml(xml, limits)
    } catch (err) {
      // Limits and DTDs are reported as such (they are not secret-dependent); parse errors are not.
      if (err instanceof SamlError && err.code !== 'ERR_SAML_MALFORMED') throw err
      return undefined
    }
  }
  const alone = attempt(text)?.documentElement
  if (alone && !hasUnboundPrefix(alone)) return alone
  const context = attempt(`<context${inScopeDeclarations(wrapper)}>${text}</context>`)?.documentElement
  if (!context || hasUnboundPrefix(context)) return undefined
  const elements = childElements(context)
  for (let n = context.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1 && !(n.nodeType === 3 && /^\s*$/.test((n as Text).data))) return undefined
  }
  return elements.length === 1 ? elements[0] : undefined
}

/** True when an element or attribute under `root` uses a prefix no declaration binds (the parser lets it pass). */
function hasUnboundPrefix(root: Element): boolean {
  const stack: Element[] = [root]
  while (stack.length > 0) {
    const el = stack.pop()!
    if (el.prefix && !el.namespaceURI) return true
    const attrs = el.attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      if (a.prefix && a.prefix !== 'xmlns' && !a.namespaceURI) return true
    }
    stack.push(...childElements(el))
  }
  return false
}

/** The namespace declarations in scope at `el`, written as attributes (nearest declaration wins). */
function inScopeDeclarations(el: Element): string {
  const seen = new Set<string>()
  let out = ''
  for (let node: Node | null = el; node && node.nodeType === 1; node = node.parentNode) {
    const attrs = (node as Element).attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      const name = a.prefix === 'xmlns' || a.name === 'xmlns' ? a.name : undefined
      if (name === undefined || seen.has(name)) continue
      seen.add(name)
      out += ` ${name}="${escapeXmlAttribute(a.value)}"`
    }
  }
  return out
}
