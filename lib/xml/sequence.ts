import { SamlError } from '../errors/saml-error.js'
import { childElements } from './read-element.js'
import type { XmlElement } from './tree.js'

/** One place of an XML Schema `<sequence>`: an element (or a choice of names in one namespace). */
export interface Particle {
  readonly ns: string
  /** The local name, or several for a `<choice>` of elements of one namespace. */
  readonly local: string | readonly string[]
  /** Default 0 (optional). */
  readonly min?: number
  /** Default 1; `Infinity` for `maxOccurs="unbounded"`. */
  readonly max?: number
}

function matches(el: XmlElement, p: Particle): boolean {
  if (el.namespaceURI !== p.ns) return false
  return typeof p.local === 'string' ? el.localName === p.local : p.local.includes(el.localName)
}

function nameOf(p: Particle): string {
  return typeof p.local === 'string' ? p.local : p.local.join('|')
}

/**
 * Reads `parent`'s element children as the schema sequence `particles`: in that order, each within
 * its occurrence bounds, nothing else (an element of a look-alike namespace is "something else").
 * Returns the children found for each particle. Any deviation is `ERR_SAML_STRUCTURE`, because an
 * element a reader skips is an element an attacker can use.
 */
export function readSequence(parent: XmlElement, particles: readonly Particle[]): XmlElement[][] {
  const kids = childElements(parent)
  const found: XmlElement[][] = particles.map(() => [])
  let i = 0
  for (let index = 0; index < particles.length; index++) {
    const p = particles[index]!
    const max = p.max ?? 1
    while (i < kids.length && found[index]!.length < max && matches(kids[i]!, p))
      found[index]!.push(kids[i++]!)
    if (found[index]!.length < (p.min ?? 0)) {
      throw new SamlError(`<${parent.localName}> must contain <${nameOf(p)}> here`, 'ERR_SAML_STRUCTURE')
    }
  }
  if (i < kids.length) {
    const extra = kids[i]!
    const known = particles.some((p) => matches(extra, p))
    throw new SamlError(
      known
        ? `<${parent.localName}> has <${extra.localName}> out of schema order or too often`
        : `<${parent.localName}> may not contain <${extra.localName}> (namespace ${extra.namespaceURI || 'none'})`,
      'ERR_SAML_STRUCTURE',
    )
  }
  return found
}
