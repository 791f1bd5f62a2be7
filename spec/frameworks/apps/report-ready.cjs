// Test plumbing shared by the framework apps (not part of what docs/frameworks.md shows): once the
// app listens, print one JSON line with its port and the packages Node loaded from node_modules, so
// the spec knows where to send requests and which Express and Passport the app (and the library)
// really got.
'use strict'

/** Names of the CommonJS packages in require.cache, whoever loaded them (the innermost node_modules). */
function loadedPackages() {
  const names = new Set()
  for (const file of Object.keys(require.cache)) {
    const match = /.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file)
    if (match) names.add(match[1].replace('\\', '/'))
  }
  return [...names].sort()
}

/** Prints `{"port":…,"packages":[…]}` on one line: the app is ready. */
function reportReady(port) {
  process.stdout.write(`${JSON.stringify({ port, packages: loadedPackages() })}\n`)
}

module.exports = { reportReady }
