/**
 * Indents XML for display. Long base64 values (signatures, certificates, cipher text) are shortened:
 * they are unreadable anyway, and the view should show structure, not key material.
 *
 * @module
 */
import { DOMParser } from '@xmldom/xmldom'

const BASE64_ELEMENTS = new Set(['SignatureValue', 'X509Certificate', 'CipherValue', 'DigestValue'])

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
}

function shorten(text: string): string {
  const compact = text.replace(/\s+/g, '')
  return compact.length > 40 ? `${compact.slice(0, 24)}… (${compact.length} chars)` : compact
}

function write(node: Node, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth)
  if (node.nodeType === 1) {
    const el = node as Element
    const attrs = Array.from({ length: el.attributes.length }, (_, i) => el.attributes.item(i)!)
      .map((a) => ` ${a.name}="${escapeXml(a.value)}"`)
      .join('')
    const children = Array.from(el.childNodes).filter(
      (c) => c.nodeType === 1 || ((c.nodeType === 3 || c.nodeType === 4) && c.nodeValue!.trim() !== ''),
    )
    if (children.length === 0) {
      out.push(`${pad}<${el.tagName}${attrs}/>`)
    } else if (children.length === 1 && children[0]!.nodeType !== 1) {
      const text = children[0]!.nodeValue!.trim()
      const shown = BASE64_ELEMENTS.has(el.localName) ? shorten(text) : escapeXml(text)
      out.push(`${pad}<${el.tagName}${attrs}>${shown}</${el.tagName}>`)
    } else {
      out.push(`${pad}<${el.tagName}${attrs}>`)
      for (const child of children) write(child, depth + 1, out)
      out.push(`${pad}</${el.tagName}>`)
    }
  } else {
    out.push(`${pad}${escapeXml(node.nodeValue!.trim())}`)
  }
}

/**
 * Pretty-prints `xml`; returns it unchanged when it does not parse.
 *
 * @example
 * ```ts
 * prettyXml('<a><b>1</b></a>') // '<a>\n  <b>1</b>\n</a>'
 * ```
 */
export function prettyXml(xml: string): string {
  try {
    const fail = (msg: string): never => {
      throw new Error(msg)
    }
    const doc = new DOMParser({
      errorHandler: { warning: () => {}, error: fail, fatalError: fail },
    }).parseFromString(xml, 'text/xml')
    if (!doc.documentElement) return xml
    const out: string[] = []
    write(doc.documentElement, 0, out)
    return out.join('\n')
  } catch {
    return xml
  }
}
