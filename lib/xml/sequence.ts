import { SamlError } from '../errors/saml-error.js'
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
  const found: XmlElement[][] = particles.map(() => [])
  walkSequence(parent, particles, found)
  return found
}

/** {@link readSequence} for a caller that needs only the verdict: the same rules, nothing collected. */
export function checkSequence(parent: XmlElement, particles: readonly Particle[]): void {
  walkSequence(parent, particles, undefined)
}

/**
 * One pass over the element children: each is taken by the current particle while that one has
 * room and matches, else the current particle must have its minimum and the next one is tried.
 * The same greedy reading as matching particle by particle, so the same first fault is reported.
 */
function walkSequence(
  parent: XmlElement,
  particles: readonly Particle[],
  found: XmlElement[][] | undefined,
): void {
  const children = parent.children
  let index = 0
  let count = 0
  for (let c = 0; c < children.length; c++) {
    const kid = children[c]!
    if (kid.type !== 'element') continue
    for (;;) {
      if (index === particles.length) throw leftover(parent, kid, particles)
      const p = particles[index]!
      if (count < (p.max ?? 1) && matches(kid, p)) break
      if (count < (p.min ?? 0)) throw missing(parent, p)
      index++
      count = 0
    }
    count++
    if (found !== undefined) found[index]!.push(kid)
  }
  for (; index < particles.length; index++, count = 0) {
    const p = particles[index]!
    if (count < (p.min ?? 0)) throw missing(parent, p)
  }
}

function missing(parent: XmlElement, p: Particle): SamlError {
  return new SamlError(`<${parent.localName}> must contain <${nameOf(p)}> here`, 'ERR_SAML_STRUCTURE')
}

function leftover(parent: XmlElement, extra: XmlElement, particles: readonly Particle[]): SamlError {
  const known = particles.some((p) => matches(extra, p))
  return new SamlError(
    known
      ? `<${parent.localName}> has <${extra.localName}> out of schema order or too often`
      : `<${parent.localName}> may not contain <${extra.localName}> (namespace ${extra.namespaceURI || 'none'})`,
    'ERR_SAML_STRUCTURE',
  )
}
