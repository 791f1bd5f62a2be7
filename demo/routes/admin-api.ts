/**
 * The admin JSON API under `/admin/idps` (bearer `ADMIN_TOKEN`): list, read, register or replace,
 * and delete IdP records. Its answers are part of the HTTP contract in `docs/demo.md`.
 *
 * @module
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express'
import { isSamlError, type IdpRecord, type IdpStore } from '../../lib/index.js'
import { sendJsonError, type AdminAuth } from '../admin-auth.js'
import type { AttemptLog } from '../attempts.js'
import { DemoHttpError, registerIdp, type MetadataFetchPolicy } from '../register-idp.js'

/** Options of {@link adminApi}. */
export interface AdminApiOptions {
  store: IdpStore
  auth: AdminAuth
  /** A deleted IdP's attempts are forgotten with it. */
  attempts: AttemptLog
  metadataPolicy: MetadataFetchPolicy
}

/** Every record, ordered by id, read in pages of 500. */
async function listAllRecords(store: IdpStore): Promise<IdpRecord[]> {
  const all: IdpRecord[] = []
  for (let after: string | undefined; ;) {
    const batch = await store.list({ limit: 500, after })
    all.push(...batch)
    if (batch.length < 500) break
    after = batch[batch.length - 1]!.id
  }
  return all
}

function sendRecord(res: Response, status: number, record: IdpRecord): void {
  res.status(status).setHeader('Cache-Control', 'no-store').json(record)
}

function unknownIdp(res: Response, id: string): void {
  sendJsonError(res, 404, 'ERR_SAML_UNKNOWN_IDP', `no IdP is registered for id "${id.slice(0, 80)}"`)
}

/** Errors of the API as the contract's `{ "error": { "code", "message" } }`. */
function adminApiErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err)
  if (err instanceof DemoHttpError) return sendJsonError(res, err.status, err.code, err.message)
  if (isSamlError(err)) {
    // The admin's input was refused: 400, whatever status the code has at the ACS. An unreachable
    // store is not the admin's fault. The contract (docs/demo.md) names three codes for a refused
    // record, so a record that claims another's entityID or domain is answered as invalid too, and
    // metadata without the signature its record pins as invalid metadata (the message says which).
    const status = err.code === 'ERR_SAML_STORE_UNAVAILABLE' ? 503 : 400
    const code =
      err.code === 'ERR_SAML_IDP_CONFLICT'
        ? 'ERR_SAML_IDP_CONFIG'
        : err.code === 'ERR_SAML_METADATA_SIGNATURE'
          ? 'ERR_SAML_METADATA_INVALID'
          : err.code
    return sendJsonError(res, status, code, err.message)
  }
  const status = (err as { status?: unknown }).status
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendJsonError(res, status, 'ERR_BAD_REQUEST', 'the request body is not valid JSON')
  }
  next(err)
}

/**
 * Router of the admin API, to mount at `/admin/idps`.
 *
 * @example
 * ```ts
 * app.use('/admin/idps', adminApi({ store, auth, attempts, metadataPolicy }))
 * ```
 */
export function adminApi(options: AdminApiOptions): Router {
  const { store, attempts, metadataPolicy } = options
  const api = express.Router()
  api.use(options.auth.bearer())
  api.use(express.json({ limit: '2mb', type: () => true }))
  api.get('/', async (_req, res, next) => {
    try {
      const all = await listAllRecords(store)
      res.setHeader('Cache-Control', 'no-store')
      res.json(all)
    } catch (err) {
      next(err)
    }
  })
  api.get('/:id', async (req, res, next) => {
    try {
      const record = await store.get(req.params.id)
      if (!record) return unknownIdp(res, req.params.id)
      sendRecord(res, 200, record)
    } catch (err) {
      next(err)
    }
  })
  api.put('/:id', async (req, res, next) => {
    try {
      const { record, created } = await registerIdp(store, req.params.id, req.body, metadataPolicy)
      if (created) res.setHeader('Location', `/admin/idps/${encodeURIComponent(record.id)}`)
      sendRecord(res, created ? 201 : 200, record)
    } catch (err) {
      next(err)
    }
  })
  api.delete('/:id', async (req, res, next) => {
    try {
      if (!(await store.delete(req.params.id))) return unknownIdp(res, req.params.id)
      attempts.clear(req.params.id)
      res.status(204).end()
    } catch (err) {
      next(err)
    }
  })
  api.use(adminApiErrors)
  return api
}
