import { createHash, timingSafeEqual, type Hash } from 'node:crypto'
import { SaxesParser, type SaxesTagNS } from 'saxes'
import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import { NS } from '../xml/namespaces.js'
import { EntityFieldsReader, type AggregateEntity } from './aggregate-entity.js'
import {
  checkAggregateSignature,
  checkAggregateSignatureShape,
  type SignatureNode,
  type SignedReference,
} from './aggregate-signature.js'
import { ScopeStack, StreamingC14nWriter, type C14nElement } from './streaming-c14n.js'
import { parseXsDateTimeMs } from '../metadata/xs-date-time.js'
import { parseXsDurationMs } from '../metadata/xs-duration.js'
import type { TrustedKeys } from '../xmldsig/trusted-keys.js'

/** An entity of the aggregate that cannot become a record, and why. */
export interface SkippedEntity {
  /** Its entityID, when it has one. */
  readonly entityId?: string
  readonly code: SamlErrorCode
  readonly reason: string
}

/** A signed aggregate read and verified: its entities, and the hints of its root element. */
export interface SignedAggregate {
  readonly entities: readonly AggregateEntity[]
  /** Entities that could not be read (no entityID, a duplicate). */
  readonly skipped: readonly SkippedEntity[]
  /** The root's `Name`. */
  readonly name?: string
  /** The root's `validUntil`, epoch ms. */
  readonly validUntil?: number
  /** The root's `cacheDuration`, in ms. */
  readonly cacheDurationMs?: number
}

/** Most elements a Signature may hold (it is a handful; more is an attack on memory). */
const MAX_SIGNATURE_NODES = 256
/** Canonical text is hashed in chunks of about this many characters. */
const HASH_CHUNK = 1 << 16

function invalid(message: string, cause?: unknown): SamlError {
  return new SamlError(
    `federation metadata: ${message}`,
    'ERR_SAML_METADATA_INVALID',
    cause === undefined ? undefined : { cause },
  )
}

function refused(message: string, cause?: unknown): SamlError {
  return new SamlError(
    `federation metadata signature: ${message}`,
    'ERR_SAML_METADATA_SIGNATURE',
    cause === undefined ? undefined : { cause },
  )
}

function toElement(tag: SaxesTagNS): C14nElement {
  const attributes = []
  for (const a of Object.values(tag.attributes)) {
    if (a.prefix !== 'xmlns' && a.name !== 'xmlns')
      attributes.push({ prefix: a.prefix, local: a.local, uri: a.uri, value: a.value })
  }
  return { prefix: tag.prefix, local: tag.local, uri: tag.uri, attributes, declared: tag.ns }
}

const attr = (el: C14nElement, local: string) =>
  el.attributes.find((a) => a.local === local && a.uri === '')?.value

/**
 * Reads a federation aggregate (`md:EntitiesDescriptor`, tens of MB) from a stream of bytes without
 * building its tree: each EntityDescriptor is cut out on the way, and the root's enveloped signature
 * is verified over the same events (exclusive c14n into the digest, the Signature left out).
 * Resolves only when the signature verifies with one of `trust`'s keys; nothing read is returned
 * otherwise. Throws `ERR_SAML_METADATA_SIGNATURE` or `ERR_SAML_METADATA_INVALID`.
 */
export async function readSignedAggregate(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  trust: TrustedKeys,
): Promise<SignedAggregate> {
  const reader = new AggregateReader()
  const parser = new SaxesParser({ xmlns: true, position: false })
  parser.on('doctype', () => {
    throw invalid('a DOCTYPE is not allowed in metadata')
  })
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding))
      throw invalid(`the document must be UTF-8, not ${decl.encoding.slice(0, 40)}`)
  })
  parser.on('opentag', (tag) => reader.open(toElement(tag)))
  parser.on('closetag', (tag) => reader.close(tag))
  parser.on('text', (text) => reader.text(text))
  parser.on('cdata', (text) => reader.text(text))
  parser.on('processinginstruction', (pi) => reader.processingInstruction(pi.target ?? '', pi.body))
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    for await (const chunk of source) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    }
    parser.write(decoder.decode())
    parser.close()
  } catch (err) {
    if (err instanceof SamlError) throw err
    throw invalid(
      `not well-formed XML (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`,
      err,
    )
  }
  return reader.finish(trust)
}

type RootEvent = (writer: StreamingC14nWriter) => void

class AggregateReader {
  private readonly scope = new ScopeStack()
  private depth = 0
  private rootId: string | undefined
  private name: string | undefined
  private validUntil: number | undefined
  private cacheDurationMs: number | undefined
  /** Root events before the signature told how to digest them. */
  private pending: RootEvent[] | undefined = []
  private digestWriter: StreamingC14nWriter | undefined
  private hash: Hash | undefined
  private hashBuffer = ''
  private reference: SignedReference | undefined
  /** The Signature being read, as a small tree, and the path to its open element. */
  private signature: SignatureNode | undefined
  private readonly signaturePath: SignatureNode[] = []
  private signatureNodes = 0
  private signatureScope: ReadonlyMap<string, string> | undefined
  private entity:
    { depth: number; writer: StreamingC14nWriter; chunks: string[]; fields: EntityFieldsReader } | undefined
  private readonly entities: AggregateEntity[] = []
  private readonly skipped: SkippedEntity[] = []
  private readonly seen = new Set<string>()

  open(el: C14nElement): void {
    this.depth++
    this.scope.push(el.declared)
    if (this.depth === 1) return this.openRoot(el)
    if (this.signaturePath.length > 0) return this.openInSignature(el)
    if (this.depth === 2 && el.uri === NS.dsig && el.local === 'Signature') {
      if (this.signature) throw refused('the EntitiesDescriptor carries more than one signature')
      this.signature = { element: el, children: [] }
      this.signaturePath.push(this.signature)
      this.signatureScope = this.scope.all()
      return
    }
    if (this.depth === 2 && !this.signature)
      throw refused(
        'the aggregate is not signed: its EntitiesDescriptor must start with an enveloped ds:Signature made with the pinned signing certificate',
      )
    this.root((w) => w.open(el, this.scope))
    if (this.entity) {
      this.entity.writer.open(el, this.scope)
      this.entity.fields.open(el.uri, el.local, el.attributes)
    } else if (el.uri === NS.metadata && el.local === 'EntityDescriptor') {
      this.openEntity(el)
    }
  }

  text(text: string): void {
    if (this.depth === 0) return
    const open = this.signaturePath[this.signaturePath.length - 1]
    if (open) return void open.children.push(text)
    this.root((w) => w.text(text))
    if (this.entity) {
      this.entity.writer.text(text)
      this.entity.fields.addText(text)
    }
  }

  processingInstruction(target: string, body: string): void {
    if (this.depth === 0 || this.signaturePath.length > 0) return
    this.root((w) => w.processingInstruction(target, body))
    this.entity?.writer.processingInstruction(target, body)
  }

  close(tag: SaxesTagNS): void {
    const el = { prefix: tag.prefix, local: tag.local }
    if (this.signaturePath.length > 0) {
      this.signaturePath.pop()
      if (this.signaturePath.length === 0) this.startDigest()
    } else {
      this.root((w) => w.close(el))
      const entity = this.entity
      if (entity) {
        entity.writer.close(el)
        if (this.depth === entity.depth) this.closeEntity()
        else entity.fields.close()
      }
    }
    this.scope.pop()
    this.depth--
  }

  finish(trust: TrustedKeys): SignedAggregate {
    if (!this.signature || !this.reference || !this.hash)
      throw refused('the aggregate is not signed: its EntitiesDescriptor carries no ds:Signature')
    if (this.hashBuffer !== '') this.hash.update(this.hashBuffer, 'utf8')
    const digest = this.hash.digest()
    checkAggregateSignature(this.reference, trust)
    const expected = this.reference.digestValue
    if (digest.length !== expected.length || !timingSafeEqual(digest, expected))
      throw refused('the aggregate was changed after it was signed (digest mismatch)')
    return Object.freeze({
      entities: Object.freeze(this.entities),
      skipped: Object.freeze(this.skipped),
      ...(this.name !== undefined && { name: this.name }),
      ...(this.validUntil !== undefined && { validUntil: this.validUntil }),
      ...(this.cacheDurationMs !== undefined && { cacheDurationMs: this.cacheDurationMs }),
    })
  }

  private openRoot(el: C14nElement): void {
    if (el.uri !== NS.metadata || el.local !== 'EntitiesDescriptor')
      throw invalid(`the root element must be md:EntitiesDescriptor, not ${el.local.slice(0, 80)}`)
    this.rootId = attr(el, 'ID')
    this.name = attr(el, 'Name')
    const validUntil = attr(el, 'validUntil')
    if (validUntil !== undefined) {
      const at = parseXsDateTimeMs(validUntil)
      if (at === undefined) throw invalid(`validUntil "${validUntil.slice(0, 40)}" is not an xs:dateTime`)
      this.validUntil = at
    }
    const cacheDuration = attr(el, 'cacheDuration')
    if (cacheDuration !== undefined) this.cacheDurationMs = parseXsDurationMs(cacheDuration)
    this.root((w) => w.open(el, this.scope))
  }

  private openInSignature(el: C14nElement): void {
    if (++this.signatureNodes > MAX_SIGNATURE_NODES)
      throw refused(`the Signature holds more than ${MAX_SIGNATURE_NODES} elements`)
    const node: SignatureNode = { element: el, children: [] }
    this.signaturePath[this.signaturePath.length - 1]!.children.push(node)
    this.signaturePath.push(node)
  }

  /** The Signature is read: check its shape, then digest the root from its start, Signature left out. */
  private startDigest(): void {
    this.reference = checkAggregateSignatureShape(this.signature!, this.rootId, this.signatureScope!)
    this.hash = createHash(this.reference.digestAlgorithm)
    this.digestWriter = new StreamingC14nWriter(
      (chunk) => {
        this.hashBuffer += chunk
        if (this.hashBuffer.length >= HASH_CHUNK) {
          this.hash!.update(this.hashBuffer, 'utf8')
          this.hashBuffer = ''
        }
      },
      'exclusive',
      this.reference.inclusivePrefixes,
    )
    for (const event of this.pending!) event(this.digestWriter)
    this.pending = undefined
  }

  private root(event: RootEvent): void {
    if (this.digestWriter) event(this.digestWriter)
    else this.pending!.push(event)
  }

  private openEntity(el: C14nElement): void {
    const entityId = attr(el, 'entityID')?.trim()
    if (!entityId) {
      this.skipped.push({ code: 'ERR_SAML_METADATA_INVALID', reason: 'an EntityDescriptor has no entityID' })
      return
    }
    const chunks: string[] = []
    const writer = new StreamingC14nWriter((chunk) => chunks.push(chunk), 'in-scope')
    writer.open(el, this.scope)
    this.entity = { depth: this.depth, writer, chunks, fields: new EntityFieldsReader(entityId) }
  }

  private closeEntity(): void {
    const { fields, chunks } = this.entity!
    this.entity = undefined
    if (this.seen.has(fields.entityId)) {
      this.skipped.push({
        entityId: fields.entityId,
        code: 'ERR_SAML_IDP_CONFLICT',
        reason: 'the aggregate lists this entityID more than once; the first is kept',
      })
      return
    }
    this.seen.add(fields.entityId)
    this.entities.push(fields.finish(chunks.join('')))
  }
}
