// Docs are code: every ```ts block of README.md and docs/*.md is type-checked against the built
// package (imports by the package's own name, through its "exports"), so an example that no
// longer compiles fails `npm test`. Free names an example leaves to the reader (`store`, `app`,
// `signingKey`, …) are declared once in docs/examples/prelude.d.ts; an example that needs none of it
// still compiles without it. A block preceded by `<!-- not-checked: why -->` is skipped (shell
// sessions in TS clothing, deliberately wrong code); there should be very few.
//
// Each Markdown file's blocks go in a folder of their own. A block whose first line names its file
// (`// saml.ts`) is written under that name, so the blocks of one guide import each other as the
// files they show (`import { SamlController } from './saml.js'`). Decorators compile as NestJS
// projects set them (experimentalDecorators, emitDecoratorMetadata).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

const root = process.cwd()
const out = join(root, 'dist/docs-examples')
const sources = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

/** ```ts blocks of one Markdown file, with the line each starts on. */
function blocksOf(file) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(ts|typescript)\s*$/.test(lines[i])) continue
    const skipped = /<!--\s*not-checked:/.test(lines[i - 1] ?? '')
    const start = i + 1
    let end = start
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++
    if (!skipped) blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') })
    i = end
  }
  return blocks
}

const files = new Map()
for (const source of sources) {
  const dir = join(out, source.replace(/[/.]/g, '_'))
  mkdirSync(dir, { recursive: true })
  blocksOf(source).forEach((block, n) => {
    const named = /^\/\/ ([\w.-]+\.ts)\s*$/.exec(block.code.split('\n')[0] ?? '')?.[1]
    const name = join(dir, named && !files.has(join(dir, named)) ? named : `${n + 1}.ts`)
    // `export {}` makes every block a module, so its own declarations shadow the prelude's.
    writeFileSync(name, `${block.code}\nexport {}\n`)
    files.set(name, { source, line: block.line })
  })
}

const config = ts.getParsedCommandLineOfConfigFile(
  'tsconfig.json',
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
)
const program = ts.createProgram([...files.keys(), join(root, 'docs/examples/prelude.d.ts')], {
  ...config.options,
  noEmit: true,
  noUnusedLocals: false,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  types: ['node'],
})
const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.has(d.file.fileName))
for (const d of diagnostics) {
  const { source, line } = files.get(d.file.fileName)
  const at = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
  console.error(`${source}:${line + at.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}
if (diagnostics.length > 0) {
  console.error(`check-docs: ${diagnostics.length} error(s) in the examples of README.md and docs/`)
  process.exit(1)
}
console.log(
  `check-docs: ${files.size} examples in ${sources.length} files type-check (${relative(root, out)})`,
)
