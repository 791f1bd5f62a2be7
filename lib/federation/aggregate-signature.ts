// The aggregate's ds:Signature, read from parser events into a small tree and held to the rules of
// every signature the library checks (lib/xmldsig): one Reference to the root's ID, enveloped then
// exclusive c14n, SHA-256 or stronger, only the pinned keys.
import { verify } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { decodeBase64Strict } from '../xml/base64.js'
import { NS } from '../xml/namespaces.js'
import {
  DIGEST_ALGORITHMS,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  SIGNATURE_ALGORITHMS,
} from '../xmldsig/algorithms.js'
import type { TrustedKeys } from '../xmldsig/trusted-keys.js'
import { ScopeStack, StreamingC14nWriter, type C14nElement } from './streaming-c14n.js'

/** An element of the Signature, with its element and text children. */
export interface SignatureNode {
  readonly element: C14nElement
  readonly children: (SignatureNode | string)[]
}

/** What the Signature says was signed and how, checked for shape but not yet verified. */
export interface SignedReference {
  readonly digestAlgorithm: 'sha256' | 'sha384' | 'sha512'
  readonly digestValue: Buffer
  /** The Reference's exclusive c14n `InclusiveNamespaces PrefixList`. */
  readonly inclusivePrefixes: ReadonlySet<string>
  readonly signatureMethod: string
  readonly signatureValue: Buffer
  /** SignedInfo in exclusive c14n: what the SignatureValue signs. */
  readonly signedInfo: string
}

function refused(message: string): SamlError {
  return new SamlError(`federation metadata signature: ${message}`, 'ERR_SAML_METADATA_SIGNATURE')
}

const elements = (node: SignatureNode): SignatureNode[] => {
  const out: SignatureNode[] = []
  for (const child of node.children) {
    if (typeof child !== 'string') out.push(child)
    else if (child.trim() !== '') throw refused(`<${node.element.local}> holds text where elements belong`)
  }
  return out
}

const is = (node: SignatureNode | undefined, local: string, uri: string = NS.dsig): node is SignatureNode =>
  node !== undefined && node.element.uri === uri && node.element.local === local

const algorithmOf = (node: SignatureNode) =>
  node.element.attributes.find((a) => a.local === 'Algorithm' && a.uri === '')?.value ?? ''

const textOf = (node: SignatureNode): string =>
  node.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('')

/** Exclusive c14n's `InclusiveNamespaces` of a CanonicalizationMethod or Transform, or refused. */
function exclusiveC14nPrefixes(method: SignatureNode, what: string): ReadonlySet<string> {
  if (algorithmOf(method) !== EXC_C14N)
    throw refused(
      `${what} must be exclusive c14n (${EXC_C14N}), not ${algorithmOf(method).slice(0, 100) || '(none)'}: federation aggregates are verified while streaming`,
    )
  const [list, ...rest] = elements(method)
  if (list === undefined) return new Set()
  if (rest.length > 0 || !is(list, 'InclusiveNamespaces', NS.excC14n))
    throw refused(`${what} may only carry one InclusiveNamespaces`)
  const value = list.element.attributes.find((a) => a.local === 'PrefixList' && a.uri === '')?.value ?? ''
  return new Set(value.split(/\s+/).filter((p) => p !== ''))
}

/** Canonical SignedInfo, replayed from the tree with the namespaces in scope at the Signature. */
function canonicalSignedInfo(
  signedInfo: SignatureNode,
  scope: ReadonlyMap<string, string>,
  prefixes: ReadonlySet<string>,
): string {
  let out = ''
  const writer = new StreamingC14nWriter((chunk) => (out += chunk), 'exclusive', prefixes)
  const scopes = new ScopeStack(scope)
  const replay = (node: SignatureNode) => {
    scopes.push(node.element.declared)
    writer.open(node.element, scopes)
    for (const child of node.children) {
      if (typeof child === 'string') writer.text(child)
      else replay(child)
    }
    writer.close(node.element)
    scopes.pop()
  }
  replay(signedInfo)
  return out
}

/**
 * Checks the Signature's shape (the one shape SAML uses: SignedInfo with exclusive c14n, an allowed
 * SignatureMethod and one Reference to `#rootId` with enveloped-signature then exclusive c14n;
 * SignatureValue; an optional KeyInfo, never trusted) and returns what it claims.
 */
export function checkAggregateSignatureShape(
  signature: SignatureNode,
  rootId: string | undefined,
  scope: ReadonlyMap<string, string>,
): SignedReference {
  const [signedInfo, signatureValue, keyInfo, ...rest] = elements(signature)
  if (!is(signedInfo, 'SignedInfo') || !is(signatureValue, 'SignatureValue'))
    throw refused('the Signature must start with SignedInfo and SignatureValue')
  if (rest.length > 0 || (keyInfo !== undefined && !is(keyInfo, 'KeyInfo')))
    throw refused('the Signature may hold only SignedInfo, SignatureValue and KeyInfo')
  const [c14nMethod, signatureMethod, reference, ...more] = elements(signedInfo)
  if (
    more.length > 0 ||
    !is(c14nMethod, 'CanonicalizationMethod') ||
    !is(signatureMethod, 'SignatureMethod') ||
    !is(reference, 'Reference')
  )
    throw refused('SignedInfo must be CanonicalizationMethod, SignatureMethod and exactly one Reference')
  const signedInfoPrefixes = exclusiveC14nPrefixes(c14nMethod, 'SignedInfo canonicalization')
  const method = algorithmOf(signatureMethod)
  const signatureAlgorithm = SIGNATURE_ALGORITHMS.get(method)
  if (!signatureAlgorithm || signatureAlgorithm.hash === 'sha1' || elements(signatureMethod).length > 0)
    throw refused(
      `signature algorithm ${method.slice(0, 100) || '(none)'} is not accepted; use SHA-256 or stronger`,
    )
  if (!rootId) throw refused('the EntitiesDescriptor has no ID, so no Reference can point at it')
  const uri = reference.element.attributes.find((a) => a.local === 'URI' && a.uri === '')?.value
  if (uri !== `#${rootId}`) throw refused('the Reference must point at the EntitiesDescriptor by its ID')
  const [transforms, digestMethod, digestValue, ...extra] = elements(reference)
  if (
    extra.length > 0 ||
    !is(transforms, 'Transforms') ||
    !is(digestMethod, 'DigestMethod') ||
    !is(digestValue, 'DigestValue')
  )
    throw refused('the Reference must be Transforms, DigestMethod and DigestValue')
  const [enveloped, canonicalizing, ...others] = elements(transforms)
  if (
    others.length > 0 ||
    !is(enveloped, 'Transform') ||
    algorithmOf(enveloped) !== ENVELOPED_SIGNATURE ||
    elements(enveloped).length > 0 ||
    !is(canonicalizing, 'Transform')
  )
    throw refused('the transforms must be enveloped-signature, then exclusive c14n')
  const inclusivePrefixes = exclusiveC14nPrefixes(canonicalizing, 'the Reference canonicalization')
  const digestAlgorithm = DIGEST_ALGORITHMS.get(algorithmOf(digestMethod))
  if (digestAlgorithm === undefined || digestAlgorithm === 'sha1')
    throw refused(
      `digest algorithm ${algorithmOf(digestMethod).slice(0, 100) || '(none)'} is not accepted; use SHA-256 or stronger`,
    )
  const digest = decodeBase64Strict(textOf(digestValue).trim())
  const value = decodeBase64Strict(textOf(signatureValue).trim())
  if (!digest || !value || digest.length === 0 || value.length === 0)
    throw refused('DigestValue and SignatureValue must be base64')
  return {
    digestAlgorithm,
    digestValue: digest,
    inclusivePrefixes,
    signatureMethod: method,
    signatureValue: value,
    signedInfo: canonicalSignedInfo(signedInfo, scope, signedInfoPrefixes),
  }
}

/** Verifies the SignatureValue over canonical SignedInfo with the pinned keys only. */
export function checkAggregateSignature(reference: SignedReference, trust: TrustedKeys): void {
  const algorithm = SIGNATURE_ALGORITHMS.get(reference.signatureMethod)!
  const data = Buffer.from(reference.signedInfo, 'utf8')
  const verifies = trust.keys.some((key) => {
    if (key.keyType !== algorithm.keyType) return false
    try {
      return verify(
        algorithm.hash,
        data,
        algorithm.keyType === 'ec' ? { key: key.key, dsaEncoding: 'ieee-p1363' } : key.key,
        reference.signatureValue,
      )
    } catch {
      return false
    }
  })
  if (!verifies)
    throw refused(
      `the aggregate is signed by another key than the ${trust.keys.length} pinned signing certificate(s) of the federation source`,
    )
}
