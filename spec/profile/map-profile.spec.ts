import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { SamlError } from '../../lib/errors/saml-error.js'
import { compileAttributeMap, mapProfile } from '../../lib/profile/map-profile.js'
import { defaultAttributeMap, presets } from '../../lib/profile/presets.js'
import type { AttributeMap, GroupsMap, MappedProfile, SamlAttribute } from '../../lib/profile/types.js'
import type { AttributePresetName } from '../../lib/profile/presets.js'

const ctx = { idp: 'acme' }
const URI_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'
const BASIC_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic'
const WS2005 = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'

function map(
  attributeMap: AttributeMap | AttributePresetName | undefined,
  attributes: readonly SamlAttribute[],
  groupsMap?: GroupsMap,
): MappedProfile {
  return mapProfile(compileAttributeMap(attributeMap, groupsMap), attributes, ctx)
}

/** The mapped profile as an ordinary object, for deepStrictEqual (which compares prototypes). */
function plain(profile: MappedProfile): Record<string, unknown> {
  return { ...profile }
}

function attr(name: string, values: string[], friendlyName?: string): SamlAttribute {
  return friendlyName === undefined ? { name, values } : { name, friendlyName, values }
}

function expectCode(fn: () => unknown, code: SamlError['code']): SamlError {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof SamlError, `expected a SamlError ${code}, got ${String(caught)}`)
  assert.equal(caught.code, code)
  return caught
}

describe('compileAttributeMap', () => {
  it('uses the default map when none is given', () => {
    const compiled = compileAttributeMap(undefined)
    assert.deepEqual(
      compiled.fields.map((f) => f.name),
      Object.keys(defaultAttributeMap),
    )
  })

  it('accepts every preset by name and compiles every preset object', () => {
    for (const name of Object.keys(presets) as AttributePresetName[]) {
      const byName = compileAttributeMap(name)
      const byObject = compileAttributeMap(presets[name])
      assert.deepEqual(byName.fields, byObject.fields, name)
      assert.ok(byName.fields.length >= 5, name)
      for (const field of byName.fields)
        assert.equal(field.required, false, `${name}.${field.name} is required`)
      const email = byName.fields.find((f) => f.name === 'email')
      assert.ok(email?.transforms.includes('lowercase'), `${name}.email is lower-cased`)
      assert.equal(byName.fields.find((f) => f.name === 'groups')?.multi, true, `${name}.groups is multi`)
    }
  })

  it('rejects an unknown preset, including names that live on Object.prototype', () => {
    for (const name of ['azure', 'Entra', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expectCode(() => compileAttributeMap(name as AttributePresetName), 'ERR_SAML_IDP_CONFIG')
    }
  })

  it('rejects maps that are not objects of field specs', () => {
    const bad: unknown[] = [
      null,
      42,
      ['email'],
      { email: '' },
      { email: [] },
      { email: ['mail', ''] },
      { email: ['mail', 7] },
      { email: 7 },
      { email: null },
      { email: { from: [] } },
      { email: { multi: true } },
      { email: { from: 'mail', multi: 'yes' } },
      { email: { from: 'mail', required: 1 } },
      { email: { from: 'mail', transform: 'lower' } },
      { email: { from: 'mail', transform: ['trim', 'titlecase'] } },
      { email: { from: 'mail', transform: 3 } },
      { email: { from: 'mail', requried: true } },
      { '': 'mail' },
    ]
    for (const m of bad) expectCode(() => compileAttributeMap(m as AttributeMap), 'ERR_SAML_IDP_CONFIG')
  })

  it('rejects a field named __proto__ (as a JSON record read from a store would carry it)', () => {
    const fromStore = JSON.parse('{"email":"mail","__proto__":"mail"}') as AttributeMap
    assert.ok(Object.hasOwn(fromStore, '__proto__'))
    expectCode(() => compileAttributeMap(fromStore), 'ERR_SAML_IDP_CONFIG')
  })

  it('rejects a groups map whose values are not non-empty strings', () => {
    for (const g of [null, ['a'], { admins: 1 }, { admins: '' }]) {
      expectCode(() => compileAttributeMap(undefined, g as unknown as GroupsMap), 'ERR_SAML_IDP_CONFIG')
    }
  })

  it('normalizes string, array and full-spec fields and de-duplicates candidates', () => {
    const compiled = compileAttributeMap({
      a: 'one',
      b: ['one', 'two', 'one'],
      c: { from: 'three', multi: true, required: true, transform: 'trim' },
      groups: { from: 'memberOf', multi: false },
    })
    const [a, b, c, groups] = compiled.fields
    assert.deepEqual({ ...a }, { name: 'a', from: ['one'], multi: false, required: false, transforms: [] })
    assert.deepEqual(b?.from, ['one', 'two'])
    assert.deepEqual(
      { ...c },
      { name: 'c', from: ['three'], multi: true, required: true, transforms: ['trim'] },
    )
    assert.equal(groups?.multi, true, 'groups is always multi')
  })

  it('returns an immutable structure', () => {
    const compiled = compileAttributeMap('entra', { x: 'y' })
    assert.ok(Object.isFrozen(compiled))
    assert.ok(Object.isFrozen(compiled.fields))
    assert.ok(Object.isFrozen(compiled.fields[0]))
    assert.ok(Object.isFrozen(compiled.fields[0]?.from))
  })

  it('does not depend on the caller keeping the map unchanged', () => {
    const m: Record<string, string[]> = { email: ['mail'] }
    const compiled = compileAttributeMap(m)
    m.email!.push('email')
    m.extra = ['x']
    assert.deepEqual(
      compiled.fields.map((f) => [f.name, [...f.from]]),
      [['email', ['mail']]],
    )
  })
})

describe('presets', () => {
  it('are deeply frozen', () => {
    assert.ok(Object.isFrozen(presets))
    assert.ok(Object.isFrozen(presets.entra))
    assert.ok(Object.isFrozen(presets.entra.groups))
    assert.ok(Object.isFrozen(defaultAttributeMap))
    assert.throws(() => {
      ;(presets.entra as Record<string, unknown>).email = 'x'
    }, TypeError)
  })

  it('extend by spreading', () => {
    const compiled = compileAttributeMap({
      ...presets.entra,
      department: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/department',
    })
    const mapped = mapProfile(
      compiled,
      [attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/department', ['Sales'])],
      ctx,
    )
    assert.equal(mapped.department, 'Sales')
  })
})

describe('mapProfile: matching', () => {
  it('takes the first candidate in `from` order, not in document order', () => {
    const mapped = map({ email: ['mail', 'email'] }, [attr('email', ['second@x']), attr('mail', ['first@x'])])
    assert.equal(mapped.email, 'first@x')
  })

  it('breaks a tie between attributes with the same name by document order', () => {
    const mapped = map({ email: 'mail' }, [attr('mail', ['a@x']), attr('mail', ['b@x'])])
    assert.equal(mapped.email, 'a@x')
  })

  it('uses the first non-empty value of a single-valued field', () => {
    const mapped = map({ email: 'mail' }, [attr('mail', ['', 'a@x', 'b@x'])])
    assert.equal(mapped.email, 'a@x')
  })

  it('treats a candidate sent without a non-empty value as absent and falls back', () => {
    const mapped = map({ email: ['mail', 'email'] }, [
      attr('mail', ['']),
      attr('mail', []),
      attr('email', ['e@x']),
    ])
    assert.equal(mapped.email, 'e@x')
  })

  it('leaves an absent field out of the result', () => {
    const mapped = map({ email: 'mail', groups: 'memberOf' }, [attr('other', ['x'])])
    assert.deepEqual(Object.keys(mapped), [])
    assert.equal('groups' in mapped, false)
  })

  it('matches FriendlyName as well as Name', () => {
    const mapped = map({ firstName: 'givenName' }, [attr('urn:oid:2.5.4.42', ['Ada'], 'givenName')])
    assert.equal(mapped.firstName, 'Ada')
  })

  it('prefers a better-ranked candidate matched by Name over a worse one matched by FriendlyName', () => {
    const mapped = map({ email: ['mail', 'email'] }, [
      attr('urn:oid:1.2.840.113549.1.9.1', ['by-friendly@x'], 'email'),
      attr('mail', ['by-name@x']),
    ])
    assert.equal(mapped.email, 'by-name@x')
  })

  it('matches a urn:oid candidate against the urn:oid Name and the bare OID Name', () => {
    const m: AttributeMap = { lastName: 'urn:oid:2.5.4.4' }
    assert.equal(map(m, [attr('urn:oid:2.5.4.4', ['Lovelace'])]).lastName, 'Lovelace')
    assert.equal(map(m, [attr('2.5.4.4', ['Lovelace'])]).lastName, 'Lovelace')
    assert.equal(map(m, [attr('urn:oid:2.5.4.44', ['x'])]).lastName, undefined)
    assert.equal(map(m, [attr('2.5.4', ['x'])]).lastName, undefined)
    // The bare OID is a Name form only, not a FriendlyName.
    assert.equal(map(m, [attr('x', ['y'], '2.5.4.4')]).lastName, undefined)
  })

  it('compares names exactly, except claim URIs which compare case-insensitively', () => {
    assert.equal(map({ email: 'email' }, [attr('Email', ['a@x'])]).email, undefined)
    assert.equal(map({ email: 'email' }, [attr('email', ['a@x'])]).email, 'a@x')
    assert.equal(map({ x: 'urn:oid:2.5.4.4' }, [attr('URN:OID:2.5.4.4', ['v'])]).x, undefined)

    const m: AttributeMap = { email: `${WS2005}emailaddress`, name: `${WS2005}EmailAddress-not` }
    for (const sent of [
      `${WS2005}emailaddress`,
      `${WS2005}EmailAddress`,
      'HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/EMAILADDRESS',
    ]) {
      assert.equal(map(m, [attr(sent, ['a@x'])]).email, 'a@x', sent)
    }
    // https too, and a candidate written in mixed case matches the lower-case name Entra may send.
    const https = map({ t: 'HTTPS://Example.com/Claims/Team' }, [
      attr('https://example.com/claims/team', ['red']),
    ])
    assert.equal(https.t, 'red')
  })

  it('ignores attributes no field asks for', () => {
    const mapped = map({ email: 'mail' }, [attr('noise', ['x']), attr('mail', ['a@x'])])
    assert.deepEqual(plain(mapped), { email: 'a@x' })
  })

  it('does not mutate the attributes it reads', () => {
    const attributes = [attr('memberOf', ['b', 'a', 'b']), attr('groups', ['c'])]
    const snapshot = JSON.stringify(attributes)
    const mapped = map({ groups: ['groups', 'memberOf'] }, attributes)
    assert.deepEqual(mapped.groups, ['c', 'b', 'a'])
    assert.equal(JSON.stringify(attributes), snapshot)
    assert.notEqual(mapped.groups, attributes[0]?.values)
  })
})

describe('mapProfile: multi-valued fields', () => {
  it('collects every value of every matching candidate, best candidate first, de-duplicated', () => {
    const mapped = map({ tags: { from: ['a', 'b'], multi: true } }, [
      attr('b', ['b1', 'shared']),
      attr('a', ['a1', '', 'shared', 'a2']),
      attr('a', ['a3', 'a1']),
    ])
    assert.deepEqual(mapped.tags, ['a1', 'shared', 'a2', 'a3', 'b1'])
  })

  it('collects Keycloak-style repeated single-value attributes', () => {
    const mapped = map('keycloak', [attr('Role', ['admin']), attr('Role', ['user']), attr('Role', ['admin'])])
    assert.deepEqual(mapped.roles, ['admin', 'user'])
  })

  it('de-duplicates after transforms', () => {
    const mapped = map({ tags: { from: 't', multi: true, transform: ['trim', 'lowercase'] } }, [
      attr('t', ['Red', ' red ', 'RED', 'blue', '   ']),
    ])
    assert.deepEqual(mapped.tags, ['red', 'blue'])
  })

  it('de-duplicates the same way below, at and past 16 distinct values (a scan, then a Set)', () => {
    // Each value followed by a repeat of an earlier one, then all of them again in order and in
    // reverse: values first seen before the switch repeat after it, on both sides of 16.
    for (const distinct of [15, 16, 17, 18, 40]) {
      const values = Array.from({ length: distinct }, (_, i) => `g${i}`)
      const sent: string[] = []
      values.forEach((v, i) => sent.push(v, values[Math.floor(i / 2)]!))
      sent.push(...values, ...values.slice().reverse())
      const mapped = map({ groups: 'memberOf' }, [attr('memberOf', sent)])
      assert.deepEqual(mapped.groups, values, `${distinct} distinct values`)
    }
  })

  it('makes groups multi-valued even when the spec says otherwise', () => {
    const mapped = map({ groups: { from: 'memberOf', multi: false } }, [attr('memberOf', ['g1', 'g2'])])
    assert.deepEqual(mapped.groups, ['g1', 'g2'])
  })
})

describe('mapProfile: groups map', () => {
  const groupsMap: GroupsMap = {
    'SAML Admins': 'admin',
    '0b3f6c1e-8d44-4c3e-9a3b-1f2e3d4c5b6a': 'staff',
    'Also Admins': 'admin',
    hasOwnProperty: 'hop-group',
  }

  it('renames mapped groups, keeps unmapped ones as sent, and de-duplicates', () => {
    const mapped = map(
      { groups: 'groups' },
      [attr('groups', ['SAML Admins', 'Everyone', '0b3f6c1e-8d44-4c3e-9a3b-1f2e3d4c5b6a', 'Also Admins'])],
      groupsMap,
    )
    assert.deepEqual(mapped.groups, ['admin', 'Everyone', 'staff'])
  })

  it('looks groups up as sent and does not transform the application name', () => {
    const mapped = map(
      { groups: { from: 'groups', transform: 'lowercase' } },
      [attr('groups', ['SAML Admins', 'Everyone', 'saml admins'])],
      { 'SAML Admins': 'AppAdmins' },
    )
    assert.deepEqual(mapped.groups, ['AppAdmins', 'everyone', 'saml admins'])
  })

  it('never resolves a group name through Object.prototype', () => {
    const mapped = map(
      { groups: 'groups' },
      [attr('groups', ['toString', 'hasOwnProperty', '__proto__', 'constructor', 'valueOf'])],
      groupsMap,
    )
    assert.deepEqual(mapped.groups, ['toString', 'hop-group', '__proto__', 'constructor', 'valueOf'])
  })

  it('only renames the groups field', () => {
    const mapped = map(
      { groups: 'g', teams: { from: 'g', multi: true } },
      [attr('g', ['SAML Admins'])],
      groupsMap,
    )
    assert.deepEqual(mapped.groups, ['admin'])
    assert.deepEqual(mapped.teams, ['SAML Admins'])
  })

  it('refuses a groups map parsed from JSON with a __proto__, constructor or prototype key', () => {
    // One validator for records and the mapper (normalizeGroupsMap): what a store refuses to write,
    // the mapper refuses to compile.
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const fromStore = JSON.parse(`{"${key}":"pwned","admins":"admin"}`) as GroupsMap
      expectCode(() => compileAttributeMap({ groups: 'groups' }, fromStore), 'ERR_SAML_IDP_CONFIG')
    }
    assert.equal(({} as Record<string, unknown>).pwned, undefined)
  })

  it('handles ~150 Entra group ids', () => {
    const ids = Array.from(
      { length: 150 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    )
    const gm: Record<string, string> = {}
    for (let i = 0; i < 150; i += 10) gm[ids[i]!] = `app-${i}`
    const compiled = compileAttributeMap('entra', gm)
    const attributes = [attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', ids)]
    for (let run = 0; run < 100; run++) {
      const mapped = mapProfile(compiled, attributes, ctx)
      assert.equal(mapped.groups?.length, 150)
      assert.equal(mapped.groups?.[0], 'app-0')
      assert.equal(mapped.groups?.[1], ids[1])
    }
  })
})

describe('mapProfile: transforms', () => {
  it('applies transforms in order', () => {
    const m = (transform: AttributeMap[string]) => map({ v: transform }, [attr('v', ['  MiXed  '])]).v
    assert.equal(m({ from: 'v', transform: 'lowercase' }), '  mixed  ')
    assert.equal(m({ from: 'v', transform: 'uppercase' }), '  MIXED  ')
    assert.equal(m({ from: 'v', transform: ['trim', 'uppercase'] }), 'MIXED')
    assert.equal(m({ from: 'v', transform: ['uppercase', 'lowercase', 'trim'] }), 'mixed')
  })

  it('treats a value that transforms to empty as absent', () => {
    const mapped = map({ email: { from: ['mail', 'email'], transform: 'trim' } }, [
      attr('mail', ['   ']),
      attr('email', [' a@x ']),
    ])
    assert.equal(mapped.email, 'a@x')
  })

  it('lower-cases emails in presets', () => {
    assert.equal(map('okta', [attr('email', [' Alice@Example.COM'])]).email, 'alice@example.com')
  })
})

describe('mapProfile: required fields', () => {
  const required: AttributeMap = {
    email: { from: ['mail', 'urn:oid:0.9.2342.19200300.100.1.3'], required: true },
    firstName: 'givenName',
  }

  it('throws ERR_SAML_ATTRIBUTE_MISSING naming the field, the candidates and the names sent', () => {
    const err = expectCode(
      () =>
        map(required, [
          attr('givenName', ['Secret-Given-Value']),
          attr('urn:oid:2.5.4.4', ['Secret-Sn-Value'], 'sn'),
          attr('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', ['secret@example.com']),
        ]),
      'ERR_SAML_ATTRIBUTE_MISSING',
    )
    assert.equal(err.idp, 'acme')
    for (const expected of [
      'email',
      'mail',
      'urn:oid:0.9.2342.19200300.100.1.3',
      'givenName',
      'urn:oid:2.5.4.4',
      'sn',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    ]) {
      assert.ok(err.message.includes(expected), `message mentions ${expected}: ${err.message}`)
    }
    for (const value of ['Secret-Given-Value', 'Secret-Sn-Value', 'secret@example.com']) {
      assert.ok(!err.message.includes(value), `message must not echo the value ${value}`)
    }
  })

  it('counts a required attribute sent without a value as missing', () => {
    expectCode(() => map(required, [attr('mail', ['', ''])]), 'ERR_SAML_ATTRIBUTE_MISSING')
  })

  it('throws for a required multi-valued field with no values', () => {
    const m: AttributeMap = { groups: { from: 'memberOf', required: true } }
    expectCode(() => map(m, [attr('memberOf', [''])]), 'ERR_SAML_ATTRIBUTE_MISSING')
    assert.deepEqual(map(m, [attr('memberOf', ['g'])]).groups, ['g'])
  })

  it('reports every missing required field at once', () => {
    const err = expectCode(
      () => map({ a: { from: 'x', required: true }, b: { from: 'y', required: true } }, []),
      'ERR_SAML_ATTRIBUTE_MISSING',
    )
    assert.ok(err.message.includes('"a"') && err.message.includes('"b"'))
  })

  it('keeps the message bounded when the IdP sent many attributes', () => {
    const many = Array.from({ length: 500 }, (_, i) => attr(`attr-${i}-${'x'.repeat(300)}`, ['v']))
    const err = expectCode(
      () => map({ a: { from: 'x', required: true } }, many),
      'ERR_SAML_ATTRIBUTE_MISSING',
    )
    assert.ok(err.message.length < 10_000, `message is ${err.message.length} chars`)
    assert.ok(err.message.includes('attr-0-'))
  })

  it('passes when the required field is present', () => {
    assert.equal(map(required, [attr('0.9.2342.19200300.100.1.3', ['a@x'])]).email, 'a@x')
  })
})

describe('mapProfile: prototype safety', () => {
  it('returns a null-prototype, JSON-serializable object', () => {
    const mapped = map({ email: 'mail', groups: 'g' }, [attr('mail', ['a@x']), attr('g', ['1', '2'])])
    assert.equal(Object.getPrototypeOf(mapped), null)
    assert.equal(mapped.constructor, undefined)
    assert.equal('toString' in mapped, false)
    assert.deepEqual(JSON.parse(JSON.stringify(mapped)), { email: 'a@x', groups: ['1', '2'] })
  })

  it('treats attribute names like __proto__ and constructor as data', () => {
    const attributes = [
      attr('__proto__', ['polluted']),
      attr('constructor', ['ctor']),
      attr('hasOwnProperty', ['hop']),
      attr('toString', ['ts'], '__proto__'),
      attr('mail', ['a@x']),
    ]
    const unmapped = map({ email: 'mail' }, attributes)
    assert.deepEqual(plain(unmapped), { email: 'a@x' })

    const mapped = map(
      {
        proto: '__proto__',
        ctor: 'constructor',
        hop: ['hasOwnProperty'],
        multi: { from: '__proto__', multi: true },
      },
      attributes,
    )
    assert.deepEqual(plain(mapped), {
      proto: 'polluted',
      ctor: 'ctor',
      hop: 'hop',
      multi: ['polluted', 'ts'],
    })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal(Object.prototype.toString.call({}), '[object Object]')
    assert.equal(Object.getPrototypeOf(mapped), null)
  })

  it('keeps field names like hasOwnProperty and toString as own data properties', () => {
    const mapped = map({ valueOf: 'c', hasOwnProperty: 'h', toString: { from: 't', multi: true } }, [
      attr('c', ['vo']),
      attr('h', ['hop']),
      attr('t', ['x']),
    ])
    assert.equal(mapped.valueOf, 'vo')
    assert.equal(mapped.hasOwnProperty, 'hop')
    assert.deepEqual(mapped.toString, ['x'])
    assert.equal(typeof ({} as { valueOf: unknown }).valueOf, 'function')
    assert.equal(typeof Object.prototype.hasOwnProperty, 'function')
    assert.deepEqual(Object.keys(mapped), ['valueOf', 'hasOwnProperty', 'toString'])
  })

  it('refuses field names constructor and prototype, as records do', () => {
    for (const name of ['constructor', 'prototype'])
      expectCode(() => compileAttributeMap({ [name]: 'mail' } as AttributeMap), 'ERR_SAML_IDP_CONFIG')
  })

  it('rejects a candidate list field named __proto__ even via computed keys', () => {
    expectCode(() => compileAttributeMap({ ['__proto__']: 'mail' } as AttributeMap), 'ERR_SAML_IDP_CONFIG')
  })
})

describe('presets applied to what each IdP sends', () => {
  it('okta', () => {
    const mapped = map('okta', [
      attr('firstName', ['Alice'], undefined),
      {
        name: 'lastName',
        nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
        values: ['Example'],
      },
      attr('email', ['Alice@Acme.com']),
      attr('login', ['alice@acme.com']),
      attr('groups', ['Everyone', 'Engineering']),
    ])
    assert.deepEqual(plain(mapped), {
      email: 'alice@acme.com',
      username: 'alice@acme.com',
      firstName: 'Alice',
      lastName: 'Example',
      groups: ['Everyone', 'Engineering'],
    })
  })

  it('okta with expression-style names and URI Reference OIDs', () => {
    const mapped = map('okta', [
      attr('user.email', ['bob@acme.com']),
      attr('user.firstName', ['Bob']),
      { name: 'urn:oid:2.5.4.4', nameFormat: URI_FORMAT, values: ['Builder'] },
    ])
    assert.deepEqual(plain(mapped), { email: 'bob@acme.com', firstName: 'Bob', lastName: 'Builder' })
  })

  it('entra', () => {
    const mapped = map(
      'entra',
      [
        attr('http://schemas.microsoft.com/identity/claims/tenantid', [
          '72f988bf-86f1-41af-91ab-2d7cd011db47',
        ]),
        attr('http://schemas.microsoft.com/identity/claims/objectidentifier', [
          '2f0d9f4c-0c53-4d5e-b1cf-6d0b3c0e7a11',
        ]),
        attr('http://schemas.microsoft.com/identity/claims/displayname', ['Alice Example']),
        attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', [
          'a1b2c3d4-0000-4000-8000-000000000001',
          'a1b2c3d4-0000-4000-8000-000000000002',
        ]),
        attr('http://schemas.microsoft.com/identity/claims/identityprovider', [
          'https://sts.windows.net/72f9/',
        ]),
        attr('http://schemas.microsoft.com/claims/authnmethodsreferences', [
          'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
        ]),
        attr(`${WS2005}givenname`, ['Alice']),
        attr(`${WS2005}surname`, ['Example']),
        attr(`${WS2005}emailaddress`, ['Alice@Contoso.com']),
        attr(`${WS2005}name`, ['alice@contoso.onmicrosoft.com']),
        attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/role', ['Reader', 'Writer']),
      ],
      { 'a1b2c3d4-0000-4000-8000-000000000001': 'admins' },
    )
    assert.deepEqual(plain(mapped), {
      email: 'alice@contoso.com',
      username: 'alice@contoso.onmicrosoft.com',
      firstName: 'Alice',
      lastName: 'Example',
      displayName: 'Alice Example',
      groups: ['admins', 'a1b2c3d4-0000-4000-8000-000000000002'],
      roles: ['Reader', 'Writer'],
      objectId: '2f0d9f4c-0c53-4d5e-b1cf-6d0b3c0e7a11',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    })
  })

  it('entra with group overage and lower-cased claim names', () => {
    const mapped = map('entra', [
      attr('http://schemas.microsoft.com/claims/groups.link', [
        'https://graph.windows.net/72f9/users/2f0d/getMemberObjects',
      ]),
      attr('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/EmailAddress'.toLowerCase(), [
        'a@contoso.com',
      ]),
    ])
    assert.equal(mapped.groups, undefined)
    assert.equal(mapped.groupsLink, 'https://graph.windows.net/72f9/users/2f0d/getMemberObjects')
    assert.equal(mapped.email, 'a@contoso.com')
  })

  it('google', () => {
    const mapped = map('google', [
      attr('first_name', ['Carol']),
      attr('last_name', ['Coder']),
      attr('email', ['carol@example.org']),
      attr('groups', ['eng@example.org', 'all@example.org']),
    ])
    assert.deepEqual(plain(mapped), {
      email: 'carol@example.org',
      firstName: 'Carol',
      lastName: 'Coder',
      groups: ['eng@example.org', 'all@example.org'],
    })
    // Nothing mapped by the admin: Google sends only the NameID.
    assert.deepEqual(plain(map('google', [])), {})
  })

  it('adfs', () => {
    const mapped = map('adfs', [
      attr(`${WS2005}upn`, ['dave@corp.example']),
      attr(`${WS2005}emailaddress`, ['Dave@Corp.Example']),
      attr(`${WS2005}givenname`, ['Dave']),
      attr(`${WS2005}surname`, ['Admin']),
      attr(`${WS2005}name`, ['CORP\\dave']),
      attr('http://schemas.xmlsoap.org/claims/CommonName', ['Dave Admin']),
      attr('http://schemas.xmlsoap.org/claims/Group', ['Domain Users', 'App-Admins']),
      attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/role', ['Approver']),
    ])
    assert.deepEqual(plain(mapped), {
      email: 'dave@corp.example',
      username: 'dave@corp.example',
      firstName: 'Dave',
      lastName: 'Admin',
      displayName: 'Dave Admin',
      groups: ['Domain Users', 'App-Admins'],
      roles: ['Approver'],
    })
  })

  it('awsIdentityCenter', () => {
    const mapped = map('awsIdentityCenter', [
      { name: 'email', nameFormat: BASIC_FORMAT, values: ['Erin@Example.com'] },
      attr('firstName', ['Erin']),
      attr('lastName', ['Engineer']),
      attr('name', ['Erin Engineer']),
      attr('memberOf', ['9067e4a8-1051-70b4-6c1f-c1a1e1f1d001', '9067e4a8-1051-70b4-6c1f-c1a1e1f1d002']),
    ])
    assert.deepEqual(plain(mapped), {
      email: 'erin@example.com',
      firstName: 'Erin',
      lastName: 'Engineer',
      displayName: 'Erin Engineer',
      groups: ['9067e4a8-1051-70b4-6c1f-c1a1e1f1d001', '9067e4a8-1051-70b4-6c1f-c1a1e1f1d002'],
    })
  })

  it('keycloak with the built-in X500 mappers and role list', () => {
    const mapped = map('keycloak', [
      {
        name: 'urn:oid:1.2.840.113549.1.9.1',
        friendlyName: 'email',
        nameFormat: URI_FORMAT,
        values: ['Kim@Kc.test'],
      },
      { name: 'urn:oid:2.5.4.42', friendlyName: 'givenName', nameFormat: URI_FORMAT, values: ['Kim'] },
      { name: 'urn:oid:2.5.4.4', friendlyName: 'surname', nameFormat: URI_FORMAT, values: ['Keeper'] },
      { name: 'Role', nameFormat: BASIC_FORMAT, values: ['offline_access'] },
      { name: 'Role', nameFormat: BASIC_FORMAT, values: ['uma_authorization'] },
      { name: 'groups', friendlyName: 'groups', values: ['/staff', '/staff/admins'] },
    ])
    assert.deepEqual(plain(mapped), {
      email: 'kim@kc.test',
      firstName: 'Kim',
      lastName: 'Keeper',
      groups: ['/staff', '/staff/admins'],
      roles: ['offline_access', 'uma_authorization'],
    })
  })

  it('keycloak with plain user-property mappers', () => {
    const mapped = map('keycloak', [
      attr('username', ['kim']),
      attr('email', ['kim@kc.test']),
      attr('firstName', ['Kim']),
      attr('lastName', ['Keeper']),
      attr('member', ['admins']),
    ])
    assert.deepEqual(plain(mapped), {
      email: 'kim@kc.test',
      username: 'kim',
      firstName: 'Kim',
      lastName: 'Keeper',
      groups: ['admins'],
    })
  })

  it('eduPerson (Shibboleth, urn:oid names with FriendlyName)', () => {
    const oid = (o: string, friendlyName: string, values: string[]): SamlAttribute => ({
      name: `urn:oid:${o}`,
      friendlyName,
      nameFormat: URI_FORMAT,
      values,
    })
    const mapped = map('eduPerson', [
      oid('0.9.2342.19200300.100.1.3', 'mail', ['Pat@Uni.EDU']),
      oid('2.5.4.42', 'givenName', ['Pat']),
      oid('2.5.4.4', 'sn', ['Scholar']),
      oid('2.16.840.1.113730.3.1.241', 'displayName', ['Dr. Pat Scholar']),
      oid('1.3.6.1.4.1.5923.1.1.1.6', 'eduPersonPrincipalName', ['pat@uni.edu']),
      oid('1.3.6.1.4.1.5923.1.1.1.1', 'eduPersonAffiliation', ['member', 'faculty', 'employee']),
      oid('1.3.6.1.4.1.5923.1.1.1.9', 'eduPersonScopedAffiliation', ['faculty@uni.edu', 'member@uni.edu']),
      oid('1.3.6.1.4.1.5923.1.1.1.7', 'eduPersonEntitlement', ['urn:mace:dir:entitlement:common-lib-terms']),
      oid('1.3.6.1.4.1.5923.1.5.1.1', 'isMemberOf', ['uni:staff', 'uni:physics']),
      oid('0.9.2342.19200300.100.1.1', 'uid', ['pscholar']),
      {
        name: 'urn:oasis:names:tc:SAML:attribute:subject-id',
        friendlyName: 'subject-id',
        values: ['x7k2@uni.edu'],
      },
    ])
    assert.deepEqual(plain(mapped), {
      email: 'pat@uni.edu',
      username: 'pat@uni.edu',
      firstName: 'Pat',
      lastName: 'Scholar',
      displayName: 'Dr. Pat Scholar',
      groups: ['uni:staff', 'uni:physics'],
      principalName: 'pat@uni.edu',
      affiliation: ['member', 'faculty', 'employee'],
      scopedAffiliation: ['faculty@uni.edu', 'member@uni.edu'],
      entitlement: ['urn:mace:dir:entitlement:common-lib-terms'],
      subjectId: 'x7k2@uni.edu',
    })
  })

  it('eduPerson from an IdP that sends bare OIDs or legacy urn:mace names', () => {
    const mapped = map('eduPerson', [
      attr('0.9.2342.19200300.100.1.3', ['pat@uni.edu']),
      attr('urn:mace:dir:attribute-def:givenName', ['Pat']),
      attr('1.3.6.1.4.1.5923.1.1.1.1', ['student']),
    ])
    assert.deepEqual(plain(mapped), { email: 'pat@uni.edu', firstName: 'Pat', affiliation: ['student'] })
  })

  it('the default map covers the common names across vendors', () => {
    const cases: [SamlAttribute[], Record<string, unknown>][] = [
      [[attr('mail', ['A@X'])], { email: 'a@x' }],
      [[attr(`${WS2005}emailaddress`, ['a@x'])], { email: 'a@x' }],
      [[attr('urn:oid:0.9.2342.19200300.100.1.3', ['a@x'], 'mail')], { email: 'a@x' }],
      [[attr('0.9.2342.19200300.100.1.3', ['a@x'])], { email: 'a@x' }],
      [
        [attr('email', ['a@x']), attr('givenName', ['A']), attr('sn', ['B'])],
        { email: 'a@x', firstName: 'A', lastName: 'B' },
      ],
      [
        [
          attr('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', ['g1']),
          attr('memberOf', ['g2']),
        ],
        { groups: ['g2', 'g1'] },
      ],
    ]
    for (const [attributes, expected] of cases) assert.deepEqual(plain(map(undefined, attributes)), expected)
  })
})
