// A package registry on 127.0.0.1 for the install specs, so npm, pnpm and yarn install apps with
// no network: it serves every package of this repo's node_modules (as package-lock.json lists
// them) and a few extra ones the spec adds (the packed package, stand-ins for old Express and
// Passport versions). A package's tarball is the very file npm downloaded, read from npm's cache by
// the lockfile's integrity (`npm ci` put it there), so lockfile installs verify; when the cache does
// not have it, the installed folder is packed again (with its own integrity).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { readJson, root } from './consumer-kit.js'

type Manifest = Record<string, unknown> & { name: string; version: string }

/** A package the registry serves besides node_modules': a tarball, or a stand-in from a manifest. */
export type ExtraPackage = { tarball: string } | { manifest: Manifest; files?: Record<string, string> }

interface Version {
  manifest: Manifest
  tarball: () => Buffer
}

export interface LocalRegistry {
  readonly url: string
  /** Packages asked for that the registry does not have (an app asking for them cannot install). */
  readonly missing: Set<string>
  close(): Promise<void>
}

/** npm's cache folder: the one `npm test` runs with, else npm's default. */
function npmCache(): string {
  return process.env.npm_config_cache ?? join(homedir(), '.npm')
}

/** The tarball with this integrity from npm's cache (content-v2 is its layout), if there. */
function fromNpmCache(integrity: string | undefined): Buffer | undefined {
  const [algorithm, digest] = (integrity ?? '').split(' ')[0]!.split('-') as [string, string?]
  if (!digest) return undefined
  const hex = Buffer.from(digest, 'base64').toString('hex')
  const file = join(
    npmCache(),
    '_cacache',
    'content-v2',
    algorithm,
    hex.slice(0, 2),
    hex.slice(2, 4),
    hex.slice(4),
  )
  return existsSync(file) ? readFileSync(file) : undefined
}

/** A folder packed as npm packs it: everything under `package/`, its own node_modules left out. */
function tarFolder(dir: string): Buffer {
  return execFileSync(
    'tar',
    ['-czf', '-', '-C', dir, '--exclude=./node_modules', '--transform=s,^\\.,package,', '.'],
    { maxBuffer: 256 * 1024 * 1024 },
  )
}

function packageJsonOfTarball(tarball: string): Manifest {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }))
}

function standIn(manifest: Manifest, files: Record<string, string>): () => Buffer {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'psmi-stand-in-'))
    try {
      const all = { 'package.json': JSON.stringify(manifest), ...files }
      for (const [name, text] of Object.entries(all)) writeFileSync(join(dir, name), text)
      return tarFolder(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

function withoutPrivateFields(manifest: Record<string, unknown>): Manifest {
  return Object.fromEntries(Object.entries(manifest).filter(([key]) => !key.startsWith('_'))) as Manifest
}

/** name → version → how to get it. */
function index(extra: ExtraPackage[]): Map<string, Map<string, Version>> {
  const packages = new Map<string, Map<string, Version>>()
  const add = (manifest: Manifest, tarball: () => Buffer) => {
    if (!packages.has(manifest.name)) packages.set(manifest.name, new Map())
    packages.get(manifest.name)!.set(manifest.version, { manifest, tarball })
  }
  const lock = readJson<{ packages: Record<string, { name?: string; integrity?: string }> }>(
    join(root, 'package-lock.json'),
  )
  for (const [path, entry] of Object.entries(lock.packages)) {
    const dir = join(root, path)
    if (!path.includes('node_modules/') || !existsSync(join(dir, 'package.json'))) continue
    const manifest = withoutPrivateFields(readJson(join(dir, 'package.json')))
    if (entry.name && entry.name !== manifest.name) continue
    add(manifest, () => fromNpmCache(entry.integrity) ?? tarFolder(dir))
  }
  for (const item of extra) {
    if ('tarball' in item) add(packageJsonOfTarball(item.tarball), () => readFileSync(item.tarball))
    else add(item.manifest, standIn(item.manifest, item.files ?? {}))
  }
  return packages
}

export async function startLocalRegistry(extra: ExtraPackage[] = []): Promise<LocalRegistry> {
  const packages = index(extra)
  const tarballs = new Map<string, Buffer>()
  const missing = new Set<string>()
  const tarballOf = (name: string, version: Version) => {
    const key = `${name}@${version.manifest.version}`
    if (!tarballs.has(key)) tarballs.set(key, version.tarball())
    return tarballs.get(key)!
  }
  const basename = (name: string) => name.split('/').pop()!

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://registry').pathname).slice(1)
    const send = (status: number, body: Buffer | string, type = 'application/json') =>
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body)
    try {
      const [name, file] = path.split('/-/') as [string, string?]
      const versions = packages.get(name)
      if (!versions) {
        if (req.method === 'GET') missing.add(name)
        return send(404, JSON.stringify({ error: 'not found' }))
      }
      if (file !== undefined) {
        const version = versions.get(file.slice(basename(name).length + 1, -'.tgz'.length))
        return version
          ? send(200, tarballOf(name, version), 'application/octet-stream')
          : send(404, JSON.stringify({ error: 'not found' }))
      }
      const documents = Object.fromEntries(
        [...versions].map(([number, version]) => {
          const tarball = tarballOf(name, version)
          const dist = {
            tarball: `${url}/${name}/-/${basename(name)}-${number}.tgz`,
            integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
            shasum: createHash('sha1').update(tarball).digest('hex'),
          }
          return [number, { ...version.manifest, _id: `${name}@${number}`, dist }]
        }),
      )
      const latest = semver.rsort(Object.keys(documents))[0]
      send(200, JSON.stringify({ _id: name, name, 'dist-tags': { latest }, versions: documents }))
    } catch (err) {
      send(500, JSON.stringify({ error: String(err) }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    missing,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
