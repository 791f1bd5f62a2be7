// saml.ts
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Post,
  Req,
  Res,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common'
import { AuthGuard, PassportStrategy } from '@nestjs/passport'
import type { Request, Response } from 'express'
import {
  MultiIdpSamlStrategy,
  type MultiIdpSamlStrategyOptions,
  type SamlAuthenticateOptions,
  type SamlAuthInfo,
  type SamlLogoutOutcome,
  type SamlMetadataOutcome,
  type SamlProfile,
  type SamlSessionInfo,
} from 'passport-saml-multi-idp'
import { toSamlRequest } from 'passport-saml-multi-idp/express'

declare module 'express-session' {
  interface SessionData {
    saml: SamlSessionInfo // what Single Logout needs of the SAML login (SessionData is Partial)
  }
}

export interface AppUser {
  id: string
  email?: string
}

/** The provider token of the strategy's options (see AppModule). */
export const SAML_OPTIONS = 'SAML_OPTIONS'

@Injectable()
export class SamlStrategy extends PassportStrategy(MultiIdpSamlStrategy, 'saml') {
  constructor(@Inject(SAML_OPTIONS) options: MultiIdpSamlStrategyOptions) {
    super(options)
  }

  // Look up or create the user here; key accounts by IdP and NameID.
  validate(profile: SamlProfile): AppUser {
    return { id: `${profile.idp}:${profile.nameID}`, email: profile.mapped.email }
  }
}

/** The ACS: takes posted SAML responses only, then starts the login session. */
@Injectable()
export class SamlAcsGuard extends AuthGuard('saml') {
  override getAuthenticateOptions(): SamlAuthenticateOptions {
    return { flow: 'acs' }
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context)
    await super.logIn(context.switchToHttp().getRequest<Request>())
    return true
  }
}

@Controller('saml')
export class SamlController {
  constructor(@Inject(SamlStrategy) private readonly strategy: SamlStrategy) {}

  // The guard answers: a redirect to the IdP, or the HTTP-POST binding's page.
  @Get(['login', ':idp/login'])
  @UseGuards(AuthGuard('saml'))
  login(): void {}

  @Post(['acs', ':idp/acs'])
  @UseGuards(SamlAcsGuard)
  acs(@Req() req: Request, @Res() res: Response): void {
    const info = req.authInfo as SamlAuthInfo
    req.session.saml = info.session
    res.redirect(303, info.returnTo)
  }

  @Get(':idp/metadata')
  async metadata(@Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.strategy.serviceProvider.metadata(toSamlRequest(req)))
  }

  @Get(':idp/logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.strategy.serviceProvider.logout(toSamlRequest(req), {
      session: req.session.saml,
      endSession: () => endSession(req),
    })
    send(res, outcome)
  }

  @Get(':idp/slo')
  sloRedirect(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.slo(req, res)
  }

  @Post(':idp/slo')
  sloPost(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.slo(req, res)
  }

  private async slo(req: Request, res: Response): Promise<void> {
    const outcome = await this.strategy.serviceProvider.slo(toSamlRequest(req), {
      session: req.session.saml,
      endSession: () => endSession(req),
    })
    send(res, outcome)
  }
}

/** Sends an outcome of metadata, logout or SLO; an error goes to the exception filters. */
function send(res: Response, outcome: SamlLogoutOutcome | SamlMetadataOutcome): void {
  if (outcome.type === 'error') throw outcome.error
  res.set('Cache-Control', 'no-store')
  if (outcome.type === 'document') {
    res.type(outcome.contentType).send(outcome.body)
    return
  }
  for (const cookie of outcome.setCookies) res.append('Set-Cookie', cookie)
  if (outcome.type === 'redirect') res.redirect(302, outcome.location)
  else res.type('html').send(outcome.html)
}

/** Ends the login session (Passport regenerates it, so `saml` goes with it). */
function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())))
}
