import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { accountCutOffDetail } from '../audit/change-detail';
import { assertCreatedFromSession } from '../capabilities/credential-renewal';
import { assertEmail } from '../capabilities/email';
import { assertCanEndTokensOf } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { AccessError, GrantError, InvalidInputError, TokenError } from '../errors';
import { acceptsHtml, assertAccess } from '../nest/access';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { AcceptsClientAuthentication, CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { MAX_AUTHORIZATION_LENGTH } from '../tokens/bearer-header';
import { BearerTokens, type VerifiedToken } from '../tokens/bearer-tokens';
import { mintServiceToken, serviceTokenAnswer } from '../tokens/service-token';
import { escapeHtml, HOME_LINK, page } from './pages/html';
import type { HttpRequest } from './request';
import { assertManagesAt } from '../nest/manager-access';
import { inSpanSync } from '../telemetry/spans';
import { optionalScope, requireManager, requireSignedIn } from './management-access';
import { emailField, jsonObjectBody } from './request-body';
import { Responder } from './responder';
import { OAuthCallers, type OAuthCaller } from './oauth-callers';
import { isFormBody, tokenParameter } from './oauth-form';

/**
 * `GET /token`: a bearer token for the caller, or a service token for a bot;
 * `POST /token/revoke` and `POST /token/revoke_all`: end them.
 */
@Controller()
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class TokenController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly tokens: BearerTokens,
    private readonly capabilities: CapabilityService,
    private readonly responder: Responder,
    private readonly audit: AuditRecorder,
    private readonly callers: OAuthCallers,
  ) {}

  @Get('token')
  token(
    @CurrentUser() user: Principal | null,
    @Query('user') serviceAccount: unknown,
    @Query('scope') scope: unknown,
    @Req() request: HttpRequest,
    @Res() response: unknown,
  ): void {
    // A browser asking for its own token signs in and comes back; a bot's token is asked for by a script.
    const returnTo = serviceAccount === undefined ? { headers: request.headers, prefix: this.config.prefix, here: `${this.config.prefix}/token` } : undefined;
    assertAccess(user, { returnTo });
    if (serviceAccount !== undefined) {
      this.serviceToken(user, serviceAccount, optionalScope(scope), response);
      return;
    }
    if (scope !== undefined) throw new InvalidInputError('INVALID_REQUEST', 'scope', '"scope" limits a service token: ask with user=<name>@service');
    assertCreatedFromSession(user, 'a token is minted only from a browser session: sign in and open /token');
    const issued = inSpanSync('nest_capabilities.token.mint', { 'token.kind': 'user' }, () => this.tokens.issueUserToken(user.email));
    if (acceptsHtml(request.headers)) {
      this.responder.html(response, 200, tokenPage(user.email, issued.token, issued.expiresAt), [], { showsSecret: true });
      return;
    }
    this.responder.json(response, 200, { token: issued.token, token_type: 'Bearer', expires_at: issued.expiresAt });
  }

  /**
   * Revokes one token: the caller's own, or, for a manager, that of an account whose
   * capabilities they hold. A form (`token`, `token_type_hint`) is RFC 7009's request.
   */
  @Post('token/revoke')
  @AcceptsClientAuthentication()
  async revoke(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    if (isFormBody(request.headers)) {
      await this.revokeByForm(user, request, response);
      return;
    }
    const caller = requireSignedIn(user);
    const body = jsonObjectBody(request, this.config.maxBodyBytes, ['token']);
    const target = this.tokenField(body);
    this.assertCanEndTokensOf(caller, target.email);
    await this.audit.record(caller, 'revoke', target.email, `revoke token ${target.tokenId}`, () => this.tokens.revoke(target), () => `revoked token ${target.tokenId}`);
    this.responder.json(response, 200, { status: 'ok', revoked: target.tokenId, user: target.email });
  }

  /** Revokes every token issued so far to an account: one's own, or, for a manager, that of an account whose capabilities they hold. */
  @Post('token/revoke_all')
  async revokeAll(@CurrentUser() user: Principal | null, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const caller = requireSignedIn(user);
    const email = emailField(jsonObjectBody(request, this.config.maxBodyBytes, ['email']));
    const issuedUpTo = await revokeAllTokens(this.audit, this.tokens, this.capabilities, caller, email);
    this.responder.json(response, 200, { status: 'ok', user: email, revoked_issued_up_to: issuedUpTo });
  }

  /**
   * RFC 7009: 200 whatever the token was. A token that does not verify, an API key (see
   * the keys' own route) or a token the caller may not end is left as it is, unsaid.
   */
  private async revokeByForm(user: Principal | null, request: HttpRequest, response: unknown): Promise<void> {
    const caller = this.callers.revoker(request, user);
    const target = this.revocableToken(tokenParameter(request));
    if (target !== undefined && this.mayEnd(caller, target)) {
      const actor = caller.kind === 'client' ? `client:${caller.client.clientId}` : caller.principal;
      await this.audit.record(actor, 'revoke', target.email, `revoke token ${target.tokenId}`, () => this.tokens.revoke(target), () => `revoked token ${target.tokenId}`);
    }
    this.responder.json(response, 200, {});
  }

  /** A client ends the tokens issued to it alone; a principal, those it may end. */
  private mayEnd(caller: OAuthCaller, target: VerifiedToken): boolean {
    if (caller.kind === 'client') return target.principal.clientId === caller.client.clientId;
    return this.mayEndTokensOf(caller.principal, target.email);
  }

  private revocableToken(token: string): VerifiedToken | undefined {
    try {
      return this.tokens.verifyIgnoringRevocation(token);
    } catch (error) {
      if (error instanceof TokenError) return undefined;
      throw error;
    }
  }

  private mayEndTokensOf(caller: Principal, email: string): boolean {
    try {
      this.assertCanEndTokensOf(caller, email);
      return true;
    } catch (error) {
      if (error instanceof AccessError || error instanceof GrantError) return false;
      throw error;
    }
  }

  /** Oneself always; another account only for a manager who holds all it holds (403 otherwise). */
  private assertCanEndTokensOf(caller: Principal, email: string): void {
    if (email === caller.email) return;
    requireManager(this.capabilities, caller);
    assertCanEndTokensOf(this.capabilities.policy(), this.capabilities.effectiveSet(caller), email);
  }

  /** The token named in a revocation request; one that does not verify is a bad request (400). */
  private tokenField(body: Record<string, unknown>): VerifiedToken {
    const token = body['token'];
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_AUTHORIZATION_LENGTH) {
      throw new InvalidInputError('INVALID_REQUEST', 'token', '"token" must be a bearer token');
    }
    try {
      return this.tokens.verifyIgnoringRevocation(token);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      throw new InvalidInputError('INVALID_REQUEST', 'token', `"token" is not a valid token of this application: ${error.message}`);
    }
  }

  /** A service token, limited to `scope` when given: the minter manages there and holds there all the token carries. */
  private serviceToken(manager: Principal, requested: unknown, scope: string | undefined, response: unknown): void {
    const policy = this.capabilities.policy();
    const held = assertManagesAt(policy, manager, scope);
    const email = assertEmail(requested, 'user');
    const minted = inSpanSync('nest_capabilities.token.mint', { 'token.kind': 'service' }, () => mintServiceToken(this.tokens, policy, email, { manager: held, minter: manager, scope }));
    this.responder.json(response, 200, serviceTokenAnswer(minted));
  }
}

/**
 * Revokes every token (and session) of `email` issued up to now on behalf of `caller`:
 * their own, or, for a manager, an account whose capabilities they hold. Recorded in
 * the audit trail, a refusal too; resolves with that second.
 */
export function revokeAllTokens(audit: AuditRecorder, tokens: BearerTokens, capabilities: CapabilityService, caller: Principal, email: string): Promise<number> {
  return audit.record(
    caller,
    'revoke_all',
    email,
    'revoke every token',
    async () => {
      if (email !== caller.email) {
        requireManager(capabilities, caller);
        assertCanEndTokensOf(capabilities.policy(), capabilities.effectiveSet(caller), email);
      }
      return tokens.revokeAccount(email);
    },
    accountCutOffDetail,
  );
}

function tokenPage(email: string, token: string, expiresAt: number | null): string {
  const expiry = expiresAt === null ? 'never expires' : `expires ${new Date(expiresAt * 1000).toISOString()}`;
  return page(
    'Your token',
    `<h1>Your token</h1>
<p>For <strong>${escapeHtml(email)}</strong>; it ${escapeHtml(expiry)}. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<p><textarea id="token" rows="6" cols="60" readonly>${escapeHtml(token)}</textarea></p>
<p><button type="button" id="copy">Copy</button> <span id="copied" hidden>Copied.</span></p>
<p>${HOME_LINK}</p>
<script>
document.getElementById('copy').addEventListener('click', function () {
  var field = document.getElementById('token');
  field.select();
  (navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.resolve(document.execCommand('copy')))
    .then(function () { document.getElementById('copied').hidden = false; });
});
</script>`,
  );
}
