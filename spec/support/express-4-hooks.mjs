// Module resolve hook registered by spec/support/express-4.mjs: `express` → `express-4`.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'express' || specifier.startsWith('express/')) {
    return nextResolve(`express-4${specifier.slice('express'.length)}`, context)
  }
  return nextResolve(specifier, context)
}
