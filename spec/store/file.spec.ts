import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { stringify as stringifyYaml } from 'yaml'
import { isSamlError, type SamlError } from '../../lib/errors/saml-error.js'
import type { IdpRecordInput } from '../../lib/record/record-fields.js'
import { FileIdpStore } from '../../lib/store/file/file-idp-store.js'
import { waitUntil } from '../support/wait-until.js'
import { CERTS, idpMetadataXml, idpStoreConformance } from './conformance.js'

const dirs: string[] = []
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'saml-file-idps-'))
  dirs.push(dir)
  return dir
}

/** Writes each seed record the way an admin would: JSON, YAML or .yml, metadata in a file beside it. */
async function writeSeed(dir: string, seed: readonly IdpRecordInput[]): Promise<void> {
  for (const [i, input] of seed.entries()) {
    const { id, metadataXml, ...rest } = input
    const fields: Record<string, unknown> = i % 2 === 0 ? { id, ...rest } : { ...rest } // id from the file name
    if (metadataXml !== undefined) {
      await writeFile(join(dir, `${id}.metadata.xml`), metadataXml)
      fields.metadataFile = `${id}.metadata.xml`
    }
    const ext = ['.json', '.yaml', '.yml'][i % 3]!
    await writeFile(
      join(dir, `${id}${ext}`),
      ext === '.json' ? JSON.stringify(fields, null, 2) : stringifyYaml(fields),
    )
  }
}

idpStoreConformance(
  'file (read-only, seeded files)',
  async (seed = []) => {
    const dir = await tempDir()
    await writeSeed(dir, seed)
    return FileIdpStore.open({ dir })
  },
  { readOnly: true },
)

idpStoreConformance(
  'file (writable)',
  async () => FileIdpStore.open({ dir: await tempDir(), writable: true }),
  { metadataStatus: true },
)

// Its own writes wake the watcher: the reloads they cause must change nothing.
idpStoreConformance('file (writable, watching)', async () =>
  FileIdpStore.open({ dir: await tempDir(), writable: true, watch: true, debounceMs: 1 }),
)

const manual = (id: string, extra: Record<string, unknown> = {}) => ({
  entityId: `https://idp.example.test/${id}`,
  ssoUrl: 'https://idp.example.test/sso',
  signingCerts: [CERTS.acme],
  ...extra,
})
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
const isConfigError = (err: unknown) => isSamlError(err, 'ERR_SAML_IDP_CONFIG')

describe('FileIdpStore', { timeout: 120_000 }, () => {
  it('loads JSON and YAML files, ids from file names, metadata from a file beside them', async () => {
    const dir = await tempDir()
    const xml = idpMetadataXml('https://idp.acme.test/saml')
    await writeFile(join(dir, 'acme.metadata.xml'), xml)
    await writeFile(
      join(dir, 'acme.yaml'),
      'metadataFile: acme.metadata.xml\nemailDomains: [Acme.test]\nattributeMap: okta\n',
    )
    await writeFile(join(dir, 'globex.json'), json(manual('globex')))
    await writeFile(join(dir, 'README.md'), '# not a record')
    await writeFile(join(dir, '.hidden.json'), '{ broken')
    const store = await FileIdpStore.open({ dir })
    try {
      assert.deepEqual(
        (await store.list()).map((r) => r.id),
        ['acme', 'globex'],
      )
      const acme = (await store.findByEmailDomain('ACME.TEST'))!
      assert.equal(acme.id, 'acme')
      assert.equal(acme.entityId, 'https://idp.acme.test/saml')
      assert.equal(acme.metadataXml, xml)
      assert.equal(acme.attributeMap, 'okta')
      assert.equal(acme.version, 1)
      assert.ok(!Number.isNaN(Date.parse(acme.updatedAt)))
    } finally {
      await store.close()
    }
  })

  it('refuses to open on a bad file, naming it; with onError it skips bad files and reports them', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'good.json'), json(manual('good')))
    await writeFile(join(dir, 'broken.yaml'), 'entityId: [unclosed\n')
    await writeFile(join(dir, 'nocert.json'), json({ ...manual('nocert'), signingCerts: ['junk'] }))
    await assert.rejects(FileIdpStore.open({ dir }), (err: unknown) => {
      assert.ok(isConfigError(err))
      assert.match((err as Error).message, /IdP file "broken\.yaml": is not valid YAML/)
      assert.match((err as Error).message, /1 more bad file/)
      return true
    })
    const reported: SamlError[] = []
    const store = await FileIdpStore.open({ dir, onError: (err) => reported.push(err) })
    try {
      assert.deepEqual(
        (await store.list()).map((r) => r.id),
        ['good'],
      )
      assert.deepEqual(
        reported.map((e) => [e.code, e.idp]),
        [
          ['ERR_SAML_IDP_CONFIG', 'broken'],
          ['ERR_SAML_IDP_CONFIG', 'nocert'],
        ],
      )
      assert.match(reported[1]!.message, /IdP file "nocert\.json": IdP "nocert": "signingCerts\[0\]"/)
    } finally {
      await store.close()
    }
  })

  it('enforces unique ids, entityIDs and email domains across files', async () => {
    const conflict = 'ERR_SAML_IDP_CONFLICT'
    const config = 'ERR_SAML_IDP_CONFIG'
    const cases: [Record<string, string>, RegExp, typeof conflict | typeof config][] = [
      [
        { 'a.json': json(manual('same')), 'b.json': json(manual('same')) },
        /IdP file "b\.json": IdP "b": entityID "https:\/\/idp\.example\.test\/same" already belongs to IdP "a"/,
        conflict,
      ],
      [
        {
          'a.json': json(manual('a', { emailDomains: ['corp.test'] })),
          'b.yml': stringifyYaml(manual('b', { emailDomains: ['CORP.test'] })),
        },
        /IdP file "b\.yml": .*email domain "corp\.test" already belongs to IdP "a"/,
        conflict,
      ],
      [
        { 'a.json': json(manual('a')), 'a.yaml': stringifyYaml(manual('other')) },
        /IdP file "a\.yaml": "a\.json" already defines IdP "a"/,
        conflict,
      ],
      [{ 'a.json': json({ id: 'b', ...manual('a') }) }, /IdP file "a\.json": says its id is "b"/, config],
      [
        { 'a.json': json({ ...manual('a'), metadataFile: '../etc/passwd' }) },
        /"metadataFile" must name a file in the same directory/,
        config,
      ],
      [
        { 'a.json': json({ id: 'a', metadataFile: 'missing.xml' }) },
        /"metadataFile" missing\.xml cannot be read/,
        config,
      ],
      [{ 'a.json': '[1, 2]' }, /must hold one object/, config],
    ]
    for (const [files, message, code] of cases) {
      const dir = await tempDir()
      for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body)
      await assert.rejects(FileIdpStore.open({ dir }), (err: unknown) => {
        assert.ok(isSamlError(err, code), String(err))
        assert.match((err as Error).message, message)
        return true
      })
    }
  })

  it('is read-only by default', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'a.json'), json(manual('a')))
    const store = await FileIdpStore.open({ dir })
    const isReadOnly = (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_READ_ONLY')
    await assert.rejects(store.put({ id: 'b', ...manual('b') }), (err: unknown) => {
      assert.ok(isReadOnly(err))
      assert.match((err as Error).message, /read-only/)
      return true
    })
    await assert.rejects(store.delete('a'), isReadOnly)
    assert.deepEqual(await readdir(dir), ['a.json'])
    await store.close()
  })

  it('writable: writes JSON files atomically, and a reopened store reads the same records', async () => {
    const dir = await tempDir()
    const store = await FileIdpStore.open({ dir: join(dir, 'idps'), writable: true })
    await store.put({ id: 'acme', ...manual('acme', { emailDomains: ['acme.test'] }) })
    const v2 = await store.put({
      id: 'acme',
      ...manual('acme', { emailDomains: ['acme.test'], displayName: 'Acme' }),
    })
    await store.put({ id: 'gone', ...manual('gone') })
    assert.equal(await store.delete('gone'), true)
    await store.close()
    assert.deepEqual(await readdir(join(dir, 'idps')), ['acme.json'], 'no temporary files left behind')
    const onDisk = JSON.parse(await readFile(join(dir, 'idps', 'acme.json'), 'utf8'))
    assert.equal(onDisk.version, 2)
    assert.equal(onDisk.displayName, 'Acme')
    const reopened = await FileIdpStore.open({ dir: join(dir, 'idps') })
    assert.deepStrictEqual(await reopened.get('acme'), v2)
    await reopened.close()
  })

  it('writable: the metadata status is kept in a dot directory the loader skips, across a reopen', async () => {
    const dir = await tempDir()
    const store = await FileIdpStore.open({ dir, writable: true, watch: true, debounceMs: 1 })
    const acme = await store.put({ id: 'acme', ...manual('acme') })
    const status = {
      url: 'https://idp.acme.test/metadata',
      nextRefreshAt: '2026-12-01T06:00:00.000Z',
      consecutiveFailures: 2,
      lastError: { code: 'ERR_SAML_METADATA_FETCH', message: 'HTTP 503' },
    }
    assert.equal(await store.saveMetadataStatus('acme', status), true)
    assert.deepEqual(await store.reload(), [], 'the status file is no record')
    assert.equal((await store.get('acme'))!.version, acme.version, 'a status write is no record change')
    await store.close()
    assert.deepEqual(await readdir(join(dir, '.metadata-status')), ['acme.json'])
    const reopened = await FileIdpStore.open({ dir, writable: true })
    assert.deepStrictEqual(await reopened.getMetadataStatus('acme'), status)
    assert.equal(await reopened.delete('acme'), true)
    assert.deepEqual(await readdir(join(dir, '.metadata-status')), [], 'deleted with the record')
    await reopened.close()
    const readOnly = await FileIdpStore.open({ dir })
    await assert.rejects(readOnly.saveMetadataStatus('acme', status), (err: unknown) =>
      isSamlError(err, 'ERR_SAML_STORE_READ_ONLY'),
    )
    await readOnly.close()
  })

  it('writable: a record that came from YAML is written back as YAML', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'acme.yaml'), stringifyYaml(manual('acme')))
    const store = await FileIdpStore.open({ dir, writable: true })
    const v2 = await store.put({ id: 'acme', ...manual('acme', { displayName: 'Acme' }) })
    assert.equal(v2.version, 2)
    assert.deepEqual(await readdir(dir), ['acme.yaml'])
    assert.match(await readFile(join(dir, 'acme.yaml'), 'utf8'), /displayName: Acme/)
    await store.close()
  })

  it('reload: new version for changed content only; removed files go; a bad edit keeps the last good record', async () => {
    const dir = await tempDir()
    const xml = (entityId: string) => idpMetadataXml(entityId)
    await writeFile(join(dir, 'a.json'), json(manual('a')))
    await writeFile(join(dir, 'b.json'), json(manual('b')))
    await writeFile(join(dir, 'c.json'), json(manual('c')))
    await writeFile(join(dir, 'm.metadata.xml'), xml('https://idp.m.test'))
    await writeFile(join(dir, 'm.json'), json({ metadataFile: 'm.metadata.xml' }))
    const reported: SamlError[] = []
    const store = await FileIdpStore.open({ dir, onError: (err) => reported.push(err) })
    try {
      const a1 = (await store.get('a'))!
      const b1 = (await store.get('b'))!
      await writeFile(join(dir, 'b.json'), json(manual('b', { displayName: 'B' })))
      await rm(join(dir, 'c.json'))
      await writeFile(join(dir, 'd.yaml'), stringifyYaml(manual('d')))
      await writeFile(join(dir, 'm.metadata.xml'), xml('https://idp.m.test/v2'))
      assert.deepEqual(await store.reload(), [])
      assert.equal(await store.get('a'), a1, 'an unchanged record is the same object')
      const b2 = (await store.get('b'))!
      assert.equal(b2.version, b1.version + 1)
      assert.equal(b2.displayName, 'B')
      assert.equal(await store.get('c'), undefined)
      assert.equal((await store.get('d'))?.version, 1)
      assert.equal((await store.get('m'))?.version, 2, 'a changed metadata file changes the record')
      assert.equal((await store.get('m'))?.entityId, 'https://idp.m.test/v2')

      // A broken edit, and a new file stealing a's entityID: both reported, the last good set kept.
      await writeFile(join(dir, 'b.json'), '{ "entityId": ')
      await writeFile(join(dir, 'e.json'), json(manual('a')))
      const errors = await store.reload()
      assert.deepEqual(errors.map((e) => e.idp).sort(), ['b', 'e'])
      assert.deepEqual(reported.map((e) => e.idp).sort(), ['b', 'e'])
      assert.equal(await store.get('b'), b2, 'b keeps its last good record')
      assert.equal(await store.get('e'), undefined)
      assert.equal((await store.findByEntityId('https://idp.example.test/a'))?.id, 'a')
    } finally {
      await store.close()
    }
  })

  it('reload: a changed file and a new duplicate of its id keep the lookups consistent', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'acme.json'), json(manual('old')))
    const store = await FileIdpStore.open({ dir, onError: () => {} })
    try {
      // One reload sees acme.json changed (a new entityID) and acme.yaml claiming the same id.
      await writeFile(join(dir, 'acme.json'), json(manual('new')))
      await writeFile(join(dir, 'acme.yaml'), stringifyYaml(manual('other')))
      const errors = await store.reload()
      assert.deepEqual(
        errors.map((e) => e.code),
        ['ERR_SAML_IDP_CONFLICT'],
      )
      const acme = (await store.get('acme'))!
      assert.equal(
        acme.entityId,
        'https://idp.example.test/new',
        'the changed file wins; the duplicate is refused',
      )
      assert.equal((await store.findByEntityId('https://idp.example.test/new'))?.entityId, acme.entityId)
      assert.equal(
        await store.findByEntityId('https://idp.example.test/old'),
        undefined,
        'the old entityID is freed',
      )
    } finally {
      await store.close()
    }
  })

  it('watch: picks up edits by itself, reports bad ones through onError, and stops on close', async (t) => {
    // File events take a moment: each step waits until the store shows it (bounded by the suite's timeout).
    const until = (what: string, check: () => boolean | Promise<boolean>) =>
      waitUntil(check, { signal: t.signal, what })
    const debounceMs = 20
    const dir = await tempDir()
    await writeFile(join(dir, 'acme.json'), json(manual('acme')))
    const reported: SamlError[] = []
    const store = await FileIdpStore.open({
      dir,
      watch: true,
      debounceMs,
      onError: (err) => reported.push(err),
    })
    try {
      await writeFile(join(dir, 'acme.json'), json(manual('acme', { emailDomains: ['acme.test'] })))
      await until('the edit', async () => (await store.findByEmailDomain('acme.test'))?.version === 2)
      await writeFile(join(dir, 'acme.json'), json(manual('acme', { ssoUrl: 'javascript:alert(1)' })))
      await until('the bad edit to be reported', () => reported.length >= 1)
      assert.ok(isConfigError(reported[0]))
      assert.equal(
        (await store.get('acme'))?.ssoUrls.redirect,
        'https://idp.example.test/sso',
        'last good kept',
      )
      await writeFile(join(dir, 'globex.yaml'), stringifyYaml(manual('globex')))
      await until('the new file', async () => (await store.get('globex'))?.version === 1)
    } finally {
      await store.close()
    }
    // No reloads after close, shown without sleeping on it. A control store watches the same directory
    // with the same debounce; on Linux libuv keeps one inotify watch per directory and hands each event
    // to every watcher in the same dispatch, so a still-open watcher's debounce would be due at the same
    // loop time as the control's. Once the control has read late.json, the closed store's reload() would
    // have been called. (Elsewhere the proof is weaker, never flaky: a correct close() always passes.)
    const reloads = t.mock.method(store, 'reload')
    const control = await FileIdpStore.open({ dir, watch: true, debounceMs, onError: () => {} })
    try {
      await writeFile(join(dir, 'late.json'), json(manual('late')))
      await until(
        'the control store to load late.json',
        async () => (await control.get('late')) !== undefined,
      )
    } finally {
      await control.close()
    }
    assert.equal(reloads.mock.callCount(), 0, 'no reload after close')
    assert.equal(await store.get('late'), undefined, 'no reloads after close')
  })

  it('a missing directory is ERR_SAML_STORE_UNAVAILABLE naming it (a writable store creates it)', async () => {
    const dir = join(await tempDir(), 'nope')
    await assert.rejects(FileIdpStore.open({ dir }), (err: unknown) => {
      assert.ok(isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'))
      assert.ok((err as Error).message.includes(dir))
      return true
    })
    const store = await FileIdpStore.open({ dir, writable: true })
    assert.deepEqual(await store.list(), [])
    await store.close()
  })

  it('rejects bad options with a TypeError naming the option', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /options must be an object/],
      [{}, /options\.dir/],
      [{ dir: '' }, /options\.dir/],
      [{ dir: '.', watch: 'yes' }, /options\.watch/],
      [{ dir: '.', writable: 1 }, /options\.writable/],
      [{ dir: '.', debounceMs: -1 }, /options\.debounceMs/],
      [{ dir: '.', onError: 'log' }, /options\.onError/],
    ]
    for (const [options, message] of cases) {
      await assert.rejects(FileIdpStore.open(options as never), (err: unknown) => {
        assert.ok(err instanceof TypeError)
        assert.match(err.message, message)
        return true
      })
    }
  })
})
