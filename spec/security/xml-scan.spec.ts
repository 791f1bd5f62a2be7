/**
 * The pre-DOM scan of untrusted XML (`scanXml`, run by `parseXml`): exact limits, and the
 * well-formedness it enforces itself because xmldom 0.8 tolerates stray and mismatched end tags.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { parseXml, type XmlLimits } from '../../lib/xml/parse-xml.js'

const limits: XmlLimits = { maxBytes: 64 * 1024, maxElements: 50, maxDepth: 5 }

function code(xml: string, l: XmlLimits = limits): string {
  try {
    parseXml(xml, l)
    return 'accepted'
  } catch (err) {
    assert.ok(err instanceof SamlError, String(err))
    return err.code
  }
}

const nest = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`

describe('scanXml', () => {
  it('depth: exactly maxDepth is accepted, one more is ERR_SAML_XML_LIMITS', () => {
    assert.equal(code(nest(5)), 'accepted')
    assert.equal(code(`${'<a>'.repeat(5)}<b/>${'</a>'.repeat(5)}`), 'accepted')
    assert.equal(code(nest(6)), 'ERR_SAML_XML_LIMITS')
  })

  it('elements: exactly maxElements is accepted, one more is ERR_SAML_XML_LIMITS', () => {
    assert.equal(code(`<r>${'<e/>'.repeat(49)}</r>`), 'accepted')
    assert.equal(code(`<r>${'<e/>'.repeat(50)}</r>`), 'ERR_SAML_XML_LIMITS')
  })

  it('size: exactly maxBytes is accepted, one more is ERR_SAML_TOO_LARGE', () => {
    const body = (len: number) => `<r>${'x'.repeat(len - 7)}</r>`
    assert.equal(code(body(limits.maxBytes)), 'accepted')
    assert.equal(code(body(limits.maxBytes + 1)), 'ERR_SAML_TOO_LARGE')
  })

  it('stray end tags cannot hide nesting deeper than the cap', () => {
    // Without name matching, the depth counter would go negative and the deep part would pass.
    const deep = `<r>${'</x>'.repeat(100)}${nest(100)}</r>`
    assert.equal(code(deep, { ...limits, maxElements: 1000 }), 'ERR_SAML_MALFORMED')
    assert.equal(code(`<r></r>${'</x>'.repeat(10)}${nest(10)}`), 'ERR_SAML_MALFORMED')
  })

  it('refuses mismatched, unclosed and misplaced tags with ERR_SAML_MALFORMED', () => {
    for (const xml of [
      '<r><a></b></r>',
      '<r><a></r>',
      '<r>',
      '<r/><s/>',
      '<r></r><s></s>',
      '<r><a/ ></r>',
      '<![CDATA[x]]><r/>',
      '',
      'text only',
      '<>',
      '<r><a b="1"',
    ]) {
      assert.equal(code(xml), 'ERR_SAML_MALFORMED', xml)
    }
  })

  it('accepts what well-formed SAML uses', () => {
    for (const xml of [
      '<?xml version="1.0" encoding="UTF-8"?><r/>',
      '<!-- lead --><r><!-- <a> --></r><!-- tail -->',
      '<r a=">" b="/>" c=\'&lt;!--\'><x:e xmlns:x="urn:x"\n  y="1"/></r>',
      '<r><a></a  ><b\t/></r>',
      '<r><![CDATA[</r><deep><deep>]]></r>',
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"></samlp:Response>\n',
    ]) {
      assert.equal(code(xml), 'accepted', xml)
    }
  })

  it('refuses DTDs and processing instructions', () => {
    assert.equal(code('<!DOCTYPE r><r/>'), 'ERR_SAML_XML_DTD')
    assert.equal(code('<r><!ENTITY a "b"></r>'), 'ERR_SAML_XML_DTD')
    assert.equal(code('<r><?pi x?></r>'), 'ERR_SAML_MALFORMED')
    assert.equal(code('<!-- c --><?xml version="1.0"?><r/>'), 'ERR_SAML_MALFORMED')
  })

  it('refuses start tags that never end, of any shape, in one linear pass', () => {
    // The start-tag pattern must not backtrack per character: a quadratic one would take minutes on
    // these 250 KB inputs (and this spec would hang) instead of refusing them at once.
    const big = { maxBytes: 256 * 1024, maxElements: 4000, maxDepth: 24 }
    const n = 250_000
    for (const xml of [
      `<${'a'.repeat(n)}`,
      `<${'a'.repeat(n)}"`,
      `<r ${'a'.repeat(n)}`,
      `<r a="${'x'.repeat(n)}`,
      `<r${' a="1"'.repeat(n / 6)}`,
      `<r${' a="1'.repeat(n / 5)}`,
      `<r>${'<a '.repeat(n / 3)}`,
      `<r${'/'.repeat(n)}`,
      `<r${" '>'".repeat(n / 4)}`,
    ]) {
      assert.equal(code(xml, big), 'ERR_SAML_MALFORMED', xml.slice(0, 30))
    }
  })

  it('reads quoted ">" and "/>" inside start tags as values, not as tag ends', () => {
    assert.equal(code(`<r a="/>"><b c='>'/></r>`), 'accepted')
    assert.equal(code('<r a="/>"/>'), 'accepted')
    // The "/" of "/>" inside a value does not make the tag self-closing: <a> stays open.
    assert.equal(code('<r><a b="/>"></r>'), 'ERR_SAML_MALFORMED')
  })
})
