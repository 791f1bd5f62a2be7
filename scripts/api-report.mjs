// The public API surface, checked in: for each entry point of package.json's "exports", API
// Extractor reads the built declarations (dist/esm) and writes api/<entry>.api.md. `npm test` runs
// this in check mode, so a change to any exported name or type fails until the report is updated
// with `npm run api:update` and shows in review. A type that an export uses must be exported too:
// by the same entry, or (for the subpath entries) by the main entry, which users import it from.
import { existsSync } from 'node:fs'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'
import ts from 'typescript'

/** The names the main entry exports, values and types. */
function mainExports() {
  const file = 'dist/esm/index.d.ts'
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(source)).map((s) => s.getName()))
}

const update = process.argv.includes('--update')
const entries = {
  index: 'index',
  core: 'entries/core',
  sql: 'entries/sql',
  redis: 'entries/redis',
  testing: 'entries/testing',
  express: 'entries/express',
}

let failed = false
let main
for (const [report, file] of Object.entries(entries)) {
  const entry = `dist/esm/${file}.d.ts`
  if (!existsSync(entry)) {
    console.error(`api-report: ${entry} is missing; run npm run build first`)
    process.exit(1)
  }
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: `${process.cwd()}/package.json`,
    configObject: {
      projectFolder: process.cwd(),
      mainEntryPointFilePath: `<projectFolder>/${entry}`,
      compiler: { tsconfigFilePath: '<projectFolder>/tsconfig.json', skipLibCheck: true },
      apiReport: {
        enabled: true,
        reportFileName: `${report}.api.md`,
        reportFolder: '<projectFolder>/api/',
        reportTempFolder: '<projectFolder>/dist/api-report/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'none' },
          'ae-forgotten-export': { logLevel: 'warning', addToApiReportFile: false },
          'ae-incompatible-release-tags': { logLevel: 'none' },
          'ae-missing-release-tag': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  })
  const forgotten = []
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      if (message.messageId !== 'ae-forgotten-export') return
      message.handled = true
      message.logLevel = 'none'
      const symbol = /The symbol "([^"]+)"/.exec(message.text)?.[1]
      main ??= report === 'index' ? new Set() : mainExports()
      if (report === 'index' || !main.has(symbol))
        forgotten.push(`${message.sourceFilePath}: ${message.text}`)
    },
  })
  for (const line of forgotten) console.error(`api-report: ${line}`)
  if (forgotten.length > 0 || !result.succeeded) {
    failed = true
    console.error(
      result.apiReportChanged
        ? `api-report: the public API of "${report}" changed; review it and run npm run api:update`
        : `api-report: "${report}" has ${result.errorCount + forgotten.length} error(s) (see above)`,
    )
  }
}
if (failed) process.exit(1)
console.log(update ? 'api-report: api/*.api.md updated' : 'api-report: the public API matches api/*.api.md')
