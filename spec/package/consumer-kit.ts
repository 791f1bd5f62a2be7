// Throwaway consumer projects for the package specs: the package as `npm pack` makes it, unpacked
// under the consumer's node_modules, next to the dependencies an app would have, so that the
// package's declarations resolve their imports from the consumer's node_modules only.
//
// Dependencies come from this repo's node_modules, without network. Type packages whose own
// dependencies differ between consumers (@types/express 4 or 5 and what depends on it) are copied,
// with their dependencies placed as npm would (at the top when free or compatible, else nested):
// TypeScript resolves a symlinked file's imports from its real path, so a linked @types/passport
// would see this repo's @types/express 5 in an Express 4 app, the very two-copies situation the
// specs are about, made by the harness. Everything else (runtime packages, @types/node) is a
// symlink.
import { execFileSync, spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'
import ts from 'typescript'

export const root = fileURLToPath(new URL('../../', import.meta.url))

/** Environment for a child npm, pnpm or yarn: none of the `npm test` run's npm_* settings leak in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|yarn_|init_cwd$|node_options$)/i.test(key)) env[key] = value
  }
  return { ...env, ...extra }
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs a command without blocking this process (the install specs' registry answers from it),
 * with {@link cleanEnv} plus `env`.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: cleanEnv(options.env), stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A temporary folder for this spec file, removed by {@link removeWorkDir}. */
let workDir: string | undefined
export function tempDir(name: string): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'psmi-package-'))
  const dir = join(workDir, name)
  mkdirSync(dir, { recursive: true })
  return dir
}
export function removeWorkDir(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}

/** `npm pack` of this repo (already built: `npm test` builds first), once per spec file. */
let tarball: string | undefined
export function packedTarball(): string {
  if (tarball) return tarball
  const dir = tempDir('pack')
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
    env: cleanEnv(),
    encoding: 'utf8',
  })
  const [info] = JSON.parse(out) as [{ filename: string }]
  tarball = join(dir, info.filename)
  return tarball
}

/** The folder of package `name` as Node (and TypeScript) finds it from `fromDir`. */
function findPackage(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked from ${fromDir})`)
  }
}

const copied = (name: string) => name.startsWith('@types/') && name !== '@types/node'

/** Puts `source` (a package folder) at `nodeModules/name`, and a copied package's dependencies. */
function place(top: string, nodeModules: string, name: string, source: string): void {
  const target = join(nodeModules, name)
  mkdirSync(dirname(target), { recursive: true })
  if (!copied(name)) {
    symlinkSync(source, target, 'dir')
    return
  }
  const own = join(source, 'node_modules') + sep
  cpSync(source, target, { recursive: true, filter: (path) => !`${path}${sep}`.startsWith(own) })
  const manifest = readJson<{ dependencies?: Record<string, string> }>(join(source, 'package.json'))
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    const atTop = join(top, dep)
    if (!existsSync(atTop)) place(top, top, dep, findPackage(dep, source))
    else if (!semver.satisfies(readJson<{ version: string }>(join(atTop, 'package.json')).version, range))
      place(top, join(target, 'node_modules'), dep, findPackage(dep, source))
  }
}

export interface ConsumerOptions {
  /** `"type"` of the consumer's package.json. */
  type: 'module' | 'commonjs'
  /** Dependencies: name → folder under this repo (`node_modules/@types/express-4` for Express 4's types). */
  dependencies: Record<string, string>
  /** compilerOptions on top of strict, skipLibCheck false, noEmit. */
  compilerOptions: Record<string, unknown>
  /** Source files under src/. */
  files: Record<string, string>
  /**
   * Dependencies of the package itself that the app's do not satisfy, nested under its folder as
   * npm would nest them (for the controls: what `@types/express` in `dependencies` would do).
   */
  packageDependencies?: Record<string, string>
}

/** Makes a consumer project with the packed package installed; returns its folder. */
export function makeConsumer(name: string, options: ConsumerOptions): string {
  const dir = tempDir(`consumers/${name}`)
  const nodeModules = join(dir, 'node_modules')
  const own = join(nodeModules, 'passport-saml-multi-idp')
  mkdirSync(own, { recursive: true })
  execFileSync('tar', ['-xzf', packedTarball(), '-C', own, '--strip-components=1'])
  for (const [dep, source] of Object.entries(options.dependencies)) {
    if (!existsSync(join(nodeModules, dep))) place(nodeModules, nodeModules, dep, join(root, source))
  }
  for (const [dep, source] of Object.entries(options.packageDependencies ?? {})) {
    place(nodeModules, join(own, 'node_modules'), dep, join(root, source))
  }
  const versions = Object.fromEntries(
    Object.keys(options.dependencies).map((dep) => [
      dep,
      readJson<{ version: string }>(join(nodeModules, dep, 'package.json')).version,
    ]),
  )
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      private: true,
      type: options.type,
      dependencies: { 'passport-saml-multi-idp': '0.1.0', ...versions },
    }),
  )
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        ...options.compilerOptions,
      },
      include: ['src'],
    }),
  )
  for (const [file, text] of Object.entries(options.files)) {
    mkdirSync(dirname(join(dir, 'src', file)), { recursive: true })
    writeFileSync(join(dir, 'src', file), text)
  }
  return dir
}

/**
 * `tsc --noEmit -p <dir>` with this repo's TypeScript, in this process: the diagnostics as tsc
 * prints them (empty when it compiles). Files of this repo's node_modules are shared between calls
 * with the same settings, so @types/node (linked, one real path) is parsed once or twice per spec
 * file rather than once per consumer.
 */
const sourceFiles = new Map<string, ts.SourceFile | undefined>()
export function typecheck(dir: string): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(dir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error(`no tsconfig.json in ${dir}`)
  const host = ts.createCompilerHost(config.options)
  // What parsing and binding depend on: files are shared only between programs that agree on it.
  const { target, module, moduleResolution, strict, esModuleInterop, verbatimModuleSyntax } = config.options
  const settings = JSON.stringify([
    target,
    module,
    moduleResolution,
    strict,
    esModuleInterop,
    verbatimModuleSyntax,
  ])
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    // Only files of this repo's node_modules are shared: a consumer's own files are its own.
    if (!fileName.startsWith(join(root, 'node_modules') + sep))
      return getSourceFile(fileName, languageVersion, onError, shouldCreate)
    const key = `${fileName}\0${JSON.stringify(languageVersion)}\0${settings}`
    if (!sourceFiles.has(key))
      sourceFiles.set(key, getSourceFile(fileName, languageVersion, onError, shouldCreate))
    return sourceFiles.get(key)
  }
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    host,
    configFileParsingDiagnostics: config.errors,
  })
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)]
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  })
}
