// What `npm pack` ships: the two builds (JavaScript and declarations only), the docs' text, README,
// LICENSE and package.json; nothing else, and small. Runs after `npm run build` (npm test builds
// first); --ignore-scripts so it packs that build rather than building again.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import semver from 'semver'
import { cleanEnv, readJson, root } from './consumer-kit.js'

interface PackResult {
  size: number
  unpackedSize: number
  files: { path: string; size: number }[]
}

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    env: cleanEnv(),
    encoding: 'utf8',
  }),
) as [PackResult]
const files = pack.files.map((f) => f.path)

const ALLOWED = [
  /^dist\/(esm|cjs)\/.+\.(js|d\.ts)$/,
  /^dist\/cjs\/package\.json$/, // marks dist/cjs CommonJS
  /^docs\/[^/]+\.md$/,
  /^(README\.md|LICENSE|package\.json)$/,
]

/** Every file path package.json points at: main, module, types, exports, typesVersions. */
function pointedAt(manifest: Record<string, unknown>): string[] {
  const out: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  walk([manifest.main, manifest.module, manifest.types, manifest.exports, manifest.typesVersions])
  return out.map((p) => p.replace(/^\.\//, ''))
}

describe('npm pack and package.json', () => {
  it('ships only the builds (.js and .d.ts), docs/*.md, README.md, LICENSE and package.json', () => {
    const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)))
    assert.deepEqual(stray, [], 'files that should not be in the package')
    for (const prefix of ['lib/', 'spec/', 'demo/', 'bench/', 'scripts/', 'docs/images/', 'docs/examples/'])
      assert.ok(!files.some((f) => f.startsWith(prefix)), `nothing under ${prefix}`)
    for (const prefix of ['dist/api-report/', 'dist/docs-examples/'])
      assert.ok(!files.some((f) => f.startsWith(prefix)), `nothing under ${prefix}`)
    assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps (their sources are not shipped)')
  })

  it('ships every file package.json points at, both builds of every entry, and the docs README links to', () => {
    const manifest = readJson(join(root, 'package.json'))
    for (const target of pointedAt(manifest)) assert.ok(files.includes(target), `${target} is shipped`)
    for (const build of ['esm', 'cjs'])
      for (const entry of [
        'index',
        'entries/core',
        'entries/express',
        'entries/sql',
        'entries/redis',
        'entries/testing',
      ])
        for (const ext of ['js', 'd.ts'])
          assert.ok(files.includes(`dist/${build}/${entry}.${ext}`), `dist/${build}/${entry}.${ext}`)
    const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'))
    for (const doc of docs) assert.ok(files.includes(`docs/${doc}`), `docs/${doc}`)
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    for (const [, link] of readme.matchAll(/\]\((docs\/[^)#]+)/g))
      assert.ok(files.includes(link!), `README.md links to ${link}, which is shipped`)
    for (const required of ['README.md', 'LICENSE', 'package.json']) assert.ok(files.includes(required))
  })

  it('no shipped file points at a source map (a bundler would warn about every missing one)', () => {
    const pointing = files
      .filter((f) => /\.(js|d\.ts)$/.test(f))
      .filter((f) => /\/\/# sourceMappingURL=/.test(readFileSync(join(root, f), 'utf8')))
    assert.deepEqual(
      pointing.slice(0, 5),
      [],
      `${pointing.length} files point at .map files that are not shipped`,
    )
  })

  it('package.json: no @types/* in dependencies; every framework and driver an optional peer, with ranges apps have', () => {
    const manifest = readJson<{
      dependencies: Record<string, string>
      peerDependencies: Record<string, string>
      peerDependenciesMeta: Record<string, { optional?: boolean }>
    }>(join(root, 'package.json'))
    assert.deepEqual(
      Object.keys(manifest.dependencies).filter((name) => name.startsWith('@types/')),
      [],
    )
    for (const peer of Object.keys(manifest.peerDependencies))
      assert.equal(manifest.peerDependenciesMeta[peer]?.optional, true, `${peer} is an optional peer`)
    const fits = (peer: string, version: string) =>
      semver.satisfies(version, manifest.peerDependencies[peer]!)
    for (const version of ['4.17.0', '4.21.2', '5.0.0', '5.3.0'])
      assert.ok(fits('express', version), `express ${version}`)
    for (const version of ['4.16.4', '6.0.0']) assert.ok(!fits('express', version), `not express ${version}`)
    for (const version of ['0.6.0', '0.7.0']) assert.ok(fits('passport', version), `passport ${version}`)
    assert.ok(!fits('passport', '0.5.3'), 'not passport 0.5')
  })

  it('package.json: every subpath of "exports" has its node10 types in "typesVersions", and no other', () => {
    const manifest = readJson<{
      exports: Record<string, unknown>
      typesVersions: { '*': Record<string, string[]> }
    }>(join(root, 'package.json'))
    const subpaths = Object.keys(manifest.exports)
      .filter((key) => key !== '.' && key !== './package.json')
      .map((key) => key.slice(2))
      .sort()
    assert.deepEqual(Object.keys(manifest.typesVersions['*']).sort(), subpaths)
    for (const subpath of subpaths) {
      const require = (manifest.exports[`./${subpath}`] as { require: { types: string } }).require.types
      assert.deepEqual(manifest.typesVersions['*'][subpath], [require], subpath)
    }
  })

  // The guard is against shipping what users must not get (lib/ sources, source maps, fixtures, the
  // specs): any of those adds far more than the margin. The JavaScript is written without comments;
  // the docs (over 0.5 MB, shipped so README's links work offline) grow with the features. Raised
  // from 450 kB / 2.4 MB when the XML reader, federations, MDQ and login traces came in (498 kB /
  // 2.60 MB then); the specs alone would add well over the margin.
  it('is small: under 540 kB packed, 2.9 MB unpacked', () => {
    assert.ok(pack.size < 540_000, `packed size ${pack.size} bytes`)
    assert.ok(pack.unpackedSize < 2_900_000, `unpacked size ${pack.unpackedSize} bytes`)
  })
})
