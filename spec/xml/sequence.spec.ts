// readSequence / checkSequence: a parent's element children read as an XML Schema sequence. The
// walk is one pass since issue #13; the reference below is the particle-by-particle reading it
// replaced, kept as the definition the differential holds it to.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { checkSequence, readSequence, type Particle } from '../../lib/xml/sequence.js'
import type { XmlElement, XmlNode } from '../../lib/xml/tree.js'
import { Rng } from '../support/rng.js'

const A = 'urn:a'
const B = 'urn:b'

function element(namespaceURI: string, localName: string, children: XmlNode[] = []): XmlElement {
  return {
    type: 'element',
    name: localName,
    prefix: '',
    localName,
    namespaceURI,
    attributes: [],
    namespaces: [],
    children,
    parent: null,
  }
}

function nameOf(p: Particle): string {
  return typeof p.local === 'string' ? p.local : p.local.join('|')
}

function matches(el: XmlElement, p: Particle): boolean {
  if (el.namespaceURI !== p.ns) return false
  return typeof p.local === 'string' ? el.localName === p.local : p.local.includes(el.localName)
}

/** The reading before the one-pass walk: particle by particle, greedy, then whatever is left over. */
function reference(parent: XmlElement, particles: readonly Particle[]): XmlElement[][] {
  const kids = parent.children.filter((n): n is XmlElement => n.type === 'element')
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

/**
 * What a reading of `parent` gives: the positions among its children of the elements found for each
 * particle (positions, so a look-alike element would not pass for the one found), or the error.
 */
function outcome(
  parent: XmlElement,
  read: () => XmlElement[][] | void,
): { found?: number[][]; error?: string } {
  try {
    const found = read()
    return found === undefined
      ? {}
      : { found: found.map((els) => els.map((el) => parent.children.indexOf(el))) }
  } catch (err) {
    assert.ok(err instanceof SamlError, `not a SamlError: ${String(err)}`)
    return { error: `${err.code} ${err.message}` }
  }
}

const RESPONSE: readonly Particle[] = [
  { ns: A, local: 'Issuer' },
  { ns: A, local: 'Signature' },
  { ns: A, local: 'Status', min: 1 },
  { ns: A, local: ['Assertion', 'EncryptedAssertion'], max: Infinity },
]

describe('readSequence and checkSequence', () => {
  it('take children in schema order, each within its bounds', () => {
    const kids = [
      element(A, 'Issuer'),
      element(A, 'Status'),
      element(A, 'Assertion'),
      element(A, 'Assertion'),
    ]
    const parent = element(A, 'Response', [{ type: 'text', text: '\n' }, ...kids])
    assert.deepEqual(readSequence(parent, RESPONSE), [[kids[0]], [], [kids[1]], [kids[2], kids[3]]])
    assert.doesNotThrow(() => checkSequence(parent, RESPONSE))
  })

  for (const [what, children, message] of [
    ['a required child missing', [element(A, 'Issuer')], '<Response> must contain <Status> here'],
    [
      'a child out of order',
      [element(A, 'Status'), element(A, 'Issuer')],
      '<Response> has <Issuer> out of schema order or too often',
    ],
    [
      'a child repeated past its maximum',
      [element(A, 'Issuer'), element(A, 'Status'), element(A, 'Status')],
      '<Response> has <Status> out of schema order or too often',
    ],
    [
      'a look-alike namespace',
      [element(A, 'Status'), element(B, 'Assertion')],
      '<Response> may not contain <Assertion> (namespace urn:b)',
    ],
  ] as const) {
    it(`refuse ${what}, with the same message`, () => {
      const parent = element(A, 'Response', [...children])
      assert.equal(
        outcome(parent, () => readSequence(parent, RESPONSE)).error,
        `ERR_SAML_STRUCTURE ${message}`,
      )
      assert.equal(
        outcome(parent, () => checkSequence(parent, RESPONSE)).error,
        `ERR_SAML_STRUCTURE ${message}`,
      )
    })
  }

  it('read as the particle-by-particle reference does, on 100,000 generated sequences', () => {
    const rng = new Rng(0x5e9)
    const names = ['a', 'b', 'c', 'd']
    const randomParticle = (): Particle => {
      const local = rng.int(4) === 0 ? [rng.pick(names), rng.pick(names)] : rng.pick(names)
      const max = rng.pick([undefined, 1, 2, Infinity])
      const min = rng.pick([undefined, 0, 1, ...(max === undefined || max >= 2 ? [2] : [])])
      return {
        ns: rng.int(5) === 0 ? B : A,
        local,
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
      }
    }
    const tally = { accepted: 0, refused: 0 }
    for (let n = 0; n < 100_000; n++) {
      const particles = Array.from({ length: rng.int(5) }, randomParticle)
      // Text and comments between the elements: only elements are particles.
      const children: XmlNode[] = Array.from({ length: rng.int(7) }, () => {
        const kind = rng.int(8)
        if (kind === 0) return { type: 'text', text: ' ' }
        if (kind === 1) return { type: 'comment', text: ' c ' }
        return element(rng.int(6) === 0 ? B : A, rng.pick(names))
      })
      const parent = element(A, 'P', children)
      const expected = outcome(parent, () => reference(parent, particles))
      assert.deepEqual(
        outcome(parent, () => readSequence(parent, particles)),
        expected,
      )
      assert.deepEqual(
        outcome(parent, () => checkSequence(parent, particles)),
        expected.error ? expected : {},
      )
      if (expected.error) tally.refused++
      else tally.accepted++
    }
    // Both verdicts are well represented, so the differential tests the walk, not one branch of it.
    assert.ok(tally.accepted > 5_000 && tally.refused > 5_000, JSON.stringify(tally))
  })
})
