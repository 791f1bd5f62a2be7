// saml-exception.filter.ts
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common'
import type { Response } from 'express'
import { SamlError, samlErrorStatus } from 'passport-saml-multi-idp'

/** A SamlError (from the strategy behind AuthGuard, or a flow's outcome) becomes its 4xx, not a 500. */
@Catch(SamlError)
export class SamlExceptionFilter implements ExceptionFilter<SamlError> {
  catch(error: SamlError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>()
    if (res.headersSent) return
    res
      .status(samlErrorStatus(error.code))
      .set('Cache-Control', 'no-store')
      .json({ error: { code: error.code, message: error.message } })
  }
}
