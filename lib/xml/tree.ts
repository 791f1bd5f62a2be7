/**
 * The namespace-resolved XML tree the library reads: parsed once from untrusted text, it is what
 * the validator reads, what signatures are canonicalized from and what metadata is parsed from, so
 * nothing that is verified can differ from what is read. Plain objects: no DOM, no live
 * collections, no mutation after parsing.
 */

/** An attribute, namespace declarations excluded (those are {@link XmlNamespaceDeclaration}s). */
export interface XmlAttribute {
  /** The qualified name as written: `ID`, `xml:lang`, `xsi:type`. */
  readonly name: string
  /** `''` when unprefixed. */
  readonly prefix: string
  readonly localName: string
  /** `''` for an unprefixed attribute: attributes never take the default namespace. */
  readonly namespaceURI: string
  /** The value after XML 1.0 attribute-value normalization and reference expansion. */
  readonly value: string
}

/** A namespace declaration as written on an element: `xmlns="uri"` or `xmlns:prefix="uri"`. */
export interface XmlNamespaceDeclaration {
  /** `''` for the default namespace. */
  readonly prefix: string
  /** `''` only for `xmlns=""`, which undeclares the default namespace. */
  readonly uri: string
}

/** Character data: text and CDATA sections, adjacent ones merged, line ends normalized. */
export interface XmlText {
  readonly type: 'text'
  readonly text: string
}

/** A comment: kept so that a comment inside a value can be refused, never rendered by c14n. */
export interface XmlComment {
  readonly type: 'comment'
  readonly text: string
}

export interface XmlElement {
  readonly type: 'element'
  /** The qualified name as written: `saml:Assertion`, `Assertion`. */
  readonly name: string
  /** `''` when unprefixed. */
  readonly prefix: string
  readonly localName: string
  /** `''` when the element is in no namespace. */
  readonly namespaceURI: string
  /** In document order. */
  readonly attributes: readonly XmlAttribute[]
  /** Declared on this element, in document order. */
  readonly namespaces: readonly XmlNamespaceDeclaration[]
  readonly children: readonly XmlNode[]
  /** `null` for the document element (and for an element decrypted into no context). */
  readonly parent: XmlElement | null
}

export type XmlNode = XmlElement | XmlText | XmlComment

/** A parsed document: one root element (comments and whitespace around it are dropped). */
export interface XmlDocument {
  readonly root: XmlElement
}
