// Shared conformance suite for IdpStore adapters (keyv's core/test-suite, for IdP records).
//
//   idpStoreConformance('memory', async () => new MemoryIdpStore())
//   idpStoreConformance('postgres', () => SqlIdpStore.open({ connectionString: pgUrl, schema }))
//
// Every test uses fresh random ids, entityIDs and email domains and deletes what it wrote, so
// several suites (and several runs) can share one database.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { isSamlError } from '../errors/saml-error.js'
import type { IdpRecord, IdpRecordInput } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'
import { TEST_CERTIFICATES } from './test-certificates.js'

/** Optional capabilities of the adapter under test. */
export interface IdpStoreConformanceOptions {
  /**
   * The store cannot be written through `put`/`delete` (e.g. one built from a config file). Only
   * the read tests run, and `makeStore` is called with the records the test needs; it must return
   * a store holding exactly those (validated with `normalizeIdpRecord`).
   */
  readOnly?: boolean
  /** Run the concurrent-write tests (default true). */
  concurrency?: boolean
}

/** A factory; writable stores ignore `seed`, read-only ones must hold exactly the seeded records. */
export type MakeIdpStore = (seed?: readonly IdpRecordInput[]) => Promise<IdpStore>

/** Test certificates (PEM) the suite puts in records; use them in your adapter's own specs too. */
export const CERTS = TEST_CERTIFICATES

function base64Of(certPem: string): string {
  return certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
}

/** Minimal IdP metadata, prefixed `md:`/`ds:`, built by hand so the suite needs no SAML library. */
export function idpMetadataXml(entityId: string, certPem: string = CERTS.acme): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">`,
    '<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>',
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso/redirect"/>',
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso/post"/>',
    '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/slo"/>',
    '</md:IDPSSODescriptor>',
    '</md:EntityDescriptor>',
  ].join('\n')
}

/** A fresh namespace for one test: ids, entityIDs and domains nobody else uses. */
function scope() {
  const tag = randomBytes(6).toString('hex')
  return {
    tag,
    id: (suffix = 'idp') => `t${tag}-${suffix}`,
    entityId: (suffix = 'idp') => `https://idp-${tag}.example.test/${suffix}`,
    domain: (suffix = 'corp') => `${suffix}-${tag}.example.test`,
  }
}

function manualInput(id: string, entityId: string, extra: Partial<IdpRecordInput> = {}): IdpRecordInput {
  return {
    id,
    entityId,
    ssoUrl: `https://idp.example.test/${id}/sso`,
    signingCerts: [CERTS.acme],
    ...extra,
  }
}

async function expectCode(
  promise: Promise<unknown>,
  code: 'ERR_SAML_IDP_CONFIG' | 'ERR_SAML_IDP_CONFLICT',
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSamlError(err), `expected a SamlError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Registers the IdpStore conformance tests under `describe(name)`. `makeStore` is called once per
 * test; the store is closed (`close?.()`) after it.
 */
export function idpStoreConformance(
  name: string,
  makeStore: MakeIdpStore,
  options: IdpStoreConformanceOptions = {},
): void {
  const { readOnly = false, concurrency = true } = options
  // Write tests are registered only for writable stores: a read-only adapter does not have the
  // feature, so there is nothing to skip. Concurrency tests can be turned off for adapters that
  // serialize writes outside the process.
  const writeIt = readOnly ? ((() => undefined) as unknown as typeof it) : it
  const concurrentIt = readOnly || !concurrency ? ((() => undefined) as unknown as typeof it) : it

  /** Runs `fn` on a fresh store; deletes `cleanup` ids afterwards (writable stores) and closes it. */
  async function withStore(
    fn: (store: IdpStore, cleanup: Set<string>) => Promise<void>,
    seed?: readonly IdpRecordInput[],
  ): Promise<void> {
    const store = await makeStore(seed)
    const cleanup = new Set<string>()
    try {
      if (seed && !readOnly) {
        for (const input of seed) {
          await store.put(input)
          cleanup.add(input.id)
        }
      }
      await fn(store, cleanup)
    } finally {
      try {
        if (!readOnly) for (const id of cleanup) await store.delete(id)
      } finally {
        await store.close?.()
      }
    }
  }

  describe(`IdpStore conformance: ${name}`, () => {
    describe('reads', () => {
      it('get returns the stored record, normalized, and undefined for an unknown id', async () => {
        const s = scope()
        const input = manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] })
        await withStore(
          async (store) => {
            const got = await store.get(s.id())
            assert.ok(got)
            assert.equal(got.id, s.id())
            assert.equal(got.entityId, s.entityId())
            assert.deepEqual(got.ssoUrls, { redirect: `https://idp.example.test/${s.id()}/sso` })
            assert.equal(got.signingCerts.length, 1)
            assert.match(got.signingCerts[0]!, /^-----BEGIN CERTIFICATE-----\n/)
            assert.equal(got.wantAssertionsSigned, true)
            assert.equal(got.allowIdpInitiated, false)
            assert.equal(got.authnRequestBinding, 'redirect')
            assert.ok(Number.isInteger(got.version) && got.version >= 1)
            assert.ok(!Number.isNaN(Date.parse(got.updatedAt)), 'updatedAt is an ISO-8601 date')
            assert.equal(await store.get(s.id('missing')), undefined)
          },
          [input],
        )
      })

      it('findByEntityId finds by exact entityID only', async () => {
        const s = scope()
        await withStore(
          async (store) => {
            assert.equal((await store.findByEntityId(s.entityId()))?.id, s.id())
            assert.equal(await store.findByEntityId(s.entityId('other')), undefined)
            assert.equal(await store.findByEntityId(s.entityId().toUpperCase()), undefined)
          },
          [manualInput(s.id(), s.entityId())],
        )
      })

      it('findByEmailDomain matches case-insensitively on lower-cased, de-duplicated domains', async () => {
        const s = scope()
        const domain = s.domain()
        await withStore(
          async (store) => {
            const rec = await store.get(s.id())
            assert.deepEqual(rec?.emailDomains, [domain, s.domain('second')])
            assert.equal((await store.findByEmailDomain(domain))?.id, s.id())
            assert.equal((await store.findByEmailDomain(domain.toUpperCase()))?.id, s.id())
            assert.equal((await store.findByEmailDomain(s.domain('second')))?.id, s.id())
            assert.equal(await store.findByEmailDomain(s.domain('nobody')), undefined)
          },
          [
            manualInput(s.id(), s.entityId(), {
              emailDomains: [domain.toUpperCase(), ` ${domain} `, s.domain('second')],
            }),
          ],
        )
      })

      it('list orders by id in code-unit order (like COLLATE "C"), with limit and after', async () => {
        const s = scope()
        // Deliberately mixed case and punctuation: a locale collation orders these differently.
        const suffixes = ['b', 'Z', 'a', '_x', '.y', '-w', 'A1', '9']
        const seed = suffixes.map((suffix) => manualInput(s.id(suffix), s.entityId(suffix)))
        const expected = seed.map((i) => i.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        await withStore(async (store) => {
          // Only our ids start with the random prefix, and they sort contiguously right after it.
          const after = `t${s.tag}`
          const ours = (records: IdpRecord[]) => records.map((r) => r.id).filter((id) => id.startsWith(after))
          assert.deepEqual(ours(await store.list({ after })).slice(0, expected.length), expected)
          assert.deepEqual(
            (await store.list({ after, limit: 3 })).map((r) => r.id),
            expected.slice(0, 3),
          )
          assert.deepEqual(
            (await store.list({ after: expected[2], limit: 2 })).map((r) => r.id),
            expected.slice(3, 5),
          )
          // Keyset paging visits every record exactly once.
          const paged: string[] = []
          let cursor = after
          for (;;) {
            const page = await store.list({ after: cursor, limit: 3 })
            const mine = page.filter((r) => r.id.startsWith(after))
            paged.push(...mine.map((r) => r.id))
            if (mine.length < 3) break
            cursor = page[page.length - 1]!.id
          }
          assert.deepEqual(paged, expected)
          const all = (await store.list()).map((r) => r.id)
          assert.deepEqual(
            all.filter((id) => id.startsWith(after)),
            expected,
          )
          assert.deepEqual(
            all,
            [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
            'the whole list is ordered by id',
          )
        }, seed)
      })

      it('returns immutable records', async () => {
        const s = scope()
        await withStore(
          async (store) => {
            const rec = (await store.get(s.id()))!
            assert.ok(Object.isFrozen(rec), 'record is frozen')
            assert.ok(Object.isFrozen(rec.signingCerts), 'signingCerts is frozen')
            assert.ok(Object.isFrozen(rec.emailDomains), 'emailDomains is frozen')
            assert.ok(Object.isFrozen(rec.ssoUrls), 'ssoUrls is frozen')
            assert.throws(() => {
              ;(rec as { entityId: string }).entityId = 'https://evil.example.test'
            }, TypeError)
            assert.equal((await store.get(s.id()))?.entityId, s.entityId())
          },
          [manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] })],
        )
      })

      it('reads records built from metadata XML', async () => {
        const s = scope()
        const xml = idpMetadataXml(s.entityId())
        await withStore(
          async (store) => {
            const rec = (await store.findByEntityId(s.entityId()))!
            assert.equal(rec.id, s.id())
            assert.deepEqual(rec.ssoUrls, {
              redirect: 'https://idp.example.test/sso/redirect',
              post: 'https://idp.example.test/sso/post',
            })
            assert.deepEqual(rec.sloUrls, { redirect: 'https://idp.example.test/slo' })
            assert.equal(rec.signAuthnRequests, true)
            assert.equal(rec.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
            assert.equal(rec.metadataXml, xml)
          },
          [{ id: s.id(), metadataXml: xml }],
        )
      })
    })

    describe('writes', () => {
      writeIt(
        'put returns the stored record and get returns an equal one, every field round-tripped',
        async () => {
          const s = scope()
          await withStore(async (store, cleanup) => {
            cleanup.add(s.id())
            const input: IdpRecordInput = {
              id: s.id(),
              displayName: 'Acme Corp — Ünïcödé 🔑',
              entityId: s.entityId(),
              ssoUrls: {
                redirect: 'https://idp.example.test/sso',
                post: 'https://idp.example.test/sso/post',
              },
              sloUrls: { post: 'https://idp.example.test/slo' },
              signingCerts: [CERTS.acme, CERTS.acmeNext],
              encryptionCerts: [CERTS.globex],
              nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
              emailDomains: [s.domain('a'), s.domain('b')],
              attributeMap: {
                email: {
                  from: ['mail', 'urn:oid:0.9.2342.19200300.100.1.3'],
                  required: true,
                  transform: ['trim', 'lowercase'],
                },
                firstName: ['givenName', 'urn:oid:2.5.4.42'],
                groups: { from: 'memberOf', multi: true },
                lastName: 'sn',
              },
              groupsMap: { 'Domain Admins': 'admin', 'ünïcödé group': 'staff' },
              spEntityId: 'https://sp.example.test/saml/acme',
              allowIdpInitiated: true,
              wantAssertionsSigned: false,
              wantResponseSigned: true,
              signAuthnRequests: true,
              authnRequestBinding: 'post',
              forceAuthn: true,
              clockSkewMs: 30_000,
              allowSha1: true,
              requireEncryptedAssertions: true,
              requireAesGcm: true,
              metadataUrl: 'https://idp.example.test/metadata',
            }
            const put = await store.put(input)
            assert.equal(put.version, 1)
            const { version: _v, updatedAt: _u, ...fields } = put
            assert.deepEqual(fields, {
              ...input,
              signingCerts: put.signingCerts,
              encryptionCerts: put.encryptionCerts,
            })
            assert.equal(put.signingCerts.length, 2)
            assert.equal(put.encryptionCerts.length, 1)
            assert.deepStrictEqual(await store.get(s.id()), put)
            assert.deepStrictEqual(await store.findByEntityId(s.entityId()), put)
            assert.deepStrictEqual(await store.findByEmailDomain(s.domain('b')), put)
          })
        },
      )

      writeIt('put increments version and moves updatedAt forward', async () => {
        const s = scope()
        await withStore(async (store, cleanup) => {
          cleanup.add(s.id())
          const first = await store.put(manualInput(s.id(), s.entityId()))
          assert.equal(first.version, 1)
          const skew = Math.abs(Date.parse(first.updatedAt) - Date.now())
          assert.ok(skew < 5 * 60_000, `updatedAt ${first.updatedAt} is close to now`)
          await sleep(15)
          const second = await store.put(manualInput(s.id(), s.entityId(), { displayName: 'second' }))
          assert.equal(second.version, 2)
          assert.equal(second.displayName, 'second')
          assert.ok(Date.parse(second.updatedAt) > Date.parse(first.updatedAt), 'updatedAt moved forward')
          const third = await store.put(manualInput(s.id(), s.entityId()))
          assert.equal(third.version, 3)
          assert.equal(third.displayName, undefined)
          assert.equal((await store.get(s.id()))?.version, 3)
          // A record read earlier is a snapshot: later writes do not change it.
          assert.equal(first.version, 1)
          assert.equal(second.displayName, 'second')
        })
      })

      writeIt(
        'put of an existing id may keep its own entityID and email domains, or move to new ones',
        async () => {
          const s = scope()
          await withStore(async (store, cleanup) => {
            cleanup.add(s.id())
            await store.put(manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] }))
            const same = await store.put(manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] }))
            assert.equal(same.version, 2)
            const moved = await store.put(
              manualInput(s.id(), s.entityId('new'), { emailDomains: [s.domain('new')] }),
            )
            assert.equal(moved.version, 3)
            assert.equal(await store.findByEntityId(s.entityId()), undefined, 'old entityID released')
            assert.equal(await store.findByEmailDomain(s.domain()), undefined, 'old domain released')
            assert.equal((await store.findByEntityId(s.entityId('new')))?.id, s.id())
            assert.equal((await store.findByEmailDomain(s.domain('new')))?.id, s.id())
            // The released entityID and domain can now be taken by another record.
            cleanup.add(s.id('other'))
            const other = await store.put(
              manualInput(s.id('other'), s.entityId(), { emailDomains: [s.domain()] }),
            )
            assert.equal(other.version, 1)
          })
        },
      )

      writeIt('delete removes the record and frees its entityID and domains', async () => {
        const s = scope()
        await withStore(async (store, cleanup) => {
          cleanup.add(s.id()).add(s.id('next'))
          await store.put(manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] }))
          assert.equal(await store.delete(s.id()), true)
          assert.equal(await store.delete(s.id()), false)
          assert.equal(await store.delete(s.id('never')), false)
          assert.equal(await store.get(s.id()), undefined)
          assert.equal(await store.findByEntityId(s.entityId()), undefined)
          assert.equal(await store.findByEmailDomain(s.domain()), undefined)
          assert.deepEqual(
            (await store.list({ after: `t${s.tag}` })).filter((r) => r.id.startsWith(`t${s.tag}`)),
            [],
          )
          const next = await store.put(
            manualInput(s.id('next'), s.entityId(), { emailDomains: [s.domain()] }),
          )
          assert.equal(next.version, 1)
          // A deleted id starts again at version 1.
          assert.equal((await store.put(manualInput(s.id(), s.entityId('again')))).version, 1)
        })
      })

      writeIt(
        'rejects a second record with the same entityID (ERR_SAML_IDP_CONFLICT), storing nothing',
        async () => {
          const s = scope()
          await withStore(async (store, cleanup) => {
            cleanup.add(s.id('a')).add(s.id('b'))
            const a = await store.put(manualInput(s.id('a'), s.entityId()))
            await expectCode(store.put(manualInput(s.id('b'), s.entityId())), 'ERR_SAML_IDP_CONFLICT')
            assert.equal(await store.get(s.id('b')), undefined)
            assert.deepStrictEqual(await store.findByEntityId(s.entityId()), a)
            // Nor may an existing record move onto a taken entityID.
            await store.put(manualInput(s.id('b'), s.entityId('b')))
            await expectCode(store.put(manualInput(s.id('b'), s.entityId())), 'ERR_SAML_IDP_CONFLICT')
            assert.equal((await store.get(s.id('b')))?.entityId, s.entityId('b'))
            assert.equal((await store.get(s.id('b')))?.version, 1)
          })
        },
      )

      writeIt(
        'rejects a second record with the same email domain, in any case (ERR_SAML_IDP_CONFLICT)',
        async () => {
          const s = scope()
          await withStore(async (store, cleanup) => {
            cleanup.add(s.id('a')).add(s.id('b'))
            const a = await store.put(manualInput(s.id('a'), s.entityId('a'), { emailDomains: [s.domain()] }))
            await expectCode(
              store.put(
                manualInput(s.id('b'), s.entityId('b'), {
                  emailDomains: [s.domain('free'), s.domain().toUpperCase()],
                }),
              ),
              'ERR_SAML_IDP_CONFLICT',
            )
            assert.equal(await store.get(s.id('b')), undefined)
            assert.equal(await store.findByEmailDomain(s.domain('free')), undefined, 'no partial write')
            assert.deepStrictEqual(await store.findByEmailDomain(s.domain()), a)
          })
        },
      )

      writeIt('rejects invalid input with ERR_SAML_IDP_CONFIG and stores nothing', async () => {
        const s = scope()
        const bad: [string, IdpRecordInput][] = [
          ['bad id', manualInput('-starts-with-dash', s.entityId())],
          [
            'no signing cert',
            { id: s.id('a'), entityId: s.entityId(), ssoUrl: 'https://idp.example.test/sso' },
          ],
          ['garbage cert', manualInput(s.id('b'), s.entityId(), { signingCerts: ['not a certificate'] })],
          ['no SSO URL', { id: s.id('c'), entityId: s.entityId(), signingCerts: [CERTS.acme] }],
          ['javascript: URL', manualInput(s.id('d'), s.entityId(), { ssoUrl: 'javascript:alert(1)' })],
          [
            'email address as domain',
            manualInput(s.id('e'), s.entityId(), { emailDomains: ['alice@acme.com'] }),
          ],
          ['clock skew out of range', manualInput(s.id('f'), s.entityId(), { clockSkewMs: 3_600_000 })],
          [
            '__proto__ field',
            manualInput(s.id('g'), s.entityId(), { attributeMap: JSON.parse('{"__proto__":"mail"}') }),
          ],
        ]
        await withStore(async (store, cleanup) => {
          for (const [label, input] of bad) {
            cleanup.add(input.id)
            await expectCode(store.put(input), 'ERR_SAML_IDP_CONFIG').catch((err: unknown) => {
              throw new Error(`${label}: ${String(err)}`, { cause: err })
            })
            if (typeof input.id === 'string' && /^[A-Za-z0-9]/.test(input.id)) {
              assert.equal(await store.get(input.id), undefined, `${label}: nothing stored`)
            }
          }
          assert.equal(await store.findByEntityId(s.entityId()), undefined)
          // An invalid update leaves the existing record as it was.
          cleanup.add(s.id())
          const ok = await store.put(manualInput(s.id(), s.entityId()))
          await expectCode(
            store.put(manualInput(s.id(), s.entityId(), { signingCerts: ['nope'] })),
            'ERR_SAML_IDP_CONFIG',
          )
          assert.deepStrictEqual(await store.get(s.id()), ok)
        })
      })

      writeIt('put parses metadata XML, and fields given beside it override', async () => {
        const s = scope()
        await withStore(async (store, cleanup) => {
          cleanup.add(s.id())
          const xml = idpMetadataXml(s.entityId())
          const rec = await store.put({
            id: s.id(),
            metadataXml: xml,
            signAuthnRequests: false,
            authnRequestBinding: 'post',
          })
          assert.equal(rec.entityId, s.entityId())
          assert.equal(rec.ssoUrls.post, 'https://idp.example.test/sso/post')
          assert.equal(rec.signAuthnRequests, false)
          assert.equal(rec.authnRequestBinding, 'post')
          assert.equal(rec.signingCerts.length, 1)
          assert.equal(rec.metadataXml, xml)
          assert.deepStrictEqual(await store.get(s.id()), rec)
        })
      })

      writeIt('keeps no reference to the input: mutating it after put changes nothing', async () => {
        const s = scope()
        await withStore(async (store, cleanup) => {
          cleanup.add(s.id())
          const signingCerts = [CERTS.acme]
          const emailDomains = [s.domain()]
          const ssoUrls = { redirect: 'https://idp.example.test/sso' }
          const attributeMap = { email: { from: ['mail'] }, name: ['cn'] }
          const groupsMap: Record<string, string> = { a: 'b' }
          const input: IdpRecordInput = {
            id: s.id(),
            entityId: s.entityId(),
            ssoUrls,
            signingCerts,
            emailDomains,
            attributeMap,
            groupsMap,
          }
          const put = await store.put(input)
          signingCerts.push(CERTS.globex)
          emailDomains.push(s.domain('late'))
          ssoUrls.redirect = 'https://evil.example.test/sso'
          attributeMap.email.from.push('evil')
          attributeMap.name.push('evil')
          groupsMap.c = 'd'
          input.entityId = s.entityId('changed')
          const got = (await store.get(s.id()))!
          for (const rec of [put, got]) {
            assert.equal(rec.signingCerts.length, 1)
            assert.deepEqual(rec.emailDomains, [s.domain()])
            assert.equal(rec.ssoUrls.redirect, 'https://idp.example.test/sso')
            assert.deepEqual(rec.attributeMap, { email: { from: ['mail'] }, name: ['cn'] })
            assert.deepEqual(rec.groupsMap, { a: 'b' })
            assert.equal(rec.entityId, s.entityId())
          }
          assert.equal(await store.findByEmailDomain(s.domain('late')), undefined)
        })
      })

      concurrentIt(
        'concurrent puts to one id each get a distinct version and the last one wins consistently',
        async () => {
          const s = scope()
          const n = 20
          await withStore(async (store, cleanup) => {
            cleanup.add(s.id())
            const results = await Promise.all(
              Array.from({ length: n }, (_, i) =>
                store.put(
                  manualInput(s.id(), s.entityId(), {
                    displayName: `writer ${i}`,
                    emailDomains: [s.domain()],
                  }),
                ),
              ),
            )
            const versions = results.map((r) => r.version).sort((a, b) => a - b)
            assert.deepEqual(
              versions,
              Array.from({ length: n }, (_, i) => i + 1),
            )
            const last = results.find((r) => r.version === n)!
            const stored = (await store.get(s.id()))!
            assert.equal(stored.version, n)
            assert.equal(stored.displayName, last.displayName)
            assert.deepStrictEqual(stored, last)
          })
        },
      )

      concurrentIt(
        'of concurrent puts claiming one entityID or domain for different ids, exactly one wins',
        async () => {
          const s = scope()
          const n = 10
          await withStore(async (store, cleanup) => {
            for (const [label, claim] of [
              ['entityID', (i: number) => manualInput(s.id(`e${i}`), s.entityId())],
              [
                'domain',
                (i: number) =>
                  manualInput(s.id(`d${i}`), s.entityId(`d${i}`), { emailDomains: [s.domain()] }),
              ],
            ] as const) {
              const inputs = Array.from({ length: n }, (_, i) => claim(i))
              inputs.forEach((input) => cleanup.add(input.id))
              const settled = await Promise.allSettled(inputs.map((input) => store.put(input)))
              const won = settled.filter((r) => r.status === 'fulfilled')
              assert.equal(won.length, 1, `${label}: exactly one put succeeds`)
              for (const r of settled) {
                if (r.status === 'rejected')
                  assert.ok(isSamlError(r.reason, 'ERR_SAML_IDP_CONFLICT'), `${label}: ${r.reason}`)
              }
              const stored = await Promise.all(inputs.map((input) => store.get(input.id)))
              assert.equal(stored.filter(Boolean).length, 1, `${label}: exactly one record stored`)
            }
          })
        },
      )
    })
  })
}
