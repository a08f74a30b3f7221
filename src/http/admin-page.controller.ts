import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { assertCapabilityName } from '../capabilities/capability-name';
import { assertEmail } from '../capabilities/email';
import { grantableBy, USER_MANAGEMENT } from '../capabilities/grant-rules';
import { assertScope } from '../capabilities/scope';
import type { Principal } from '../capabilities/principal';
import { CapabilitiesError } from '../errors';
import { assertKeyName } from '../capabilities/key-name';
import { AccountDeletionService } from '../nest/account-deletion.service';
import { ApiKeyService } from '../nest/api-key.service';
import { ClientService } from '../nest/client.service';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, NeedsFreshStore } from '../nest/decorators';
import { acceptsHtml } from '../nest/access';
import { BearerTokens } from '../tokens/bearer-tokens';
import { assertFormFromThisOrigin } from '../session/assert-same-origin';
import { formFields, listField, textField } from './admin-form';
import { adminPage, scopedAdminPage, type AdminNotice } from './pages/admin-page.view';
import { adminViewOf, listPage, type AdminView } from './pages/admin-view';
import { planAccountChange } from '../capabilities/policy-plan';
import { planLine } from '../capabilities/plan-line';
import { STATUS_OF } from './error-status';
import { assertManagesAt } from '../nest/manager-access';
import { scopeSectionsFor } from './pages/admin-scope-sections';
import { requireManagerSomewhere } from './management-access';
import type { HttpRequest } from './request';
import { Responder } from './responder';
import { revokeAllTokens } from './token.controller';

/** Audit entries the page shows. */
const PAGE_AUDIT_ENTRIES = 20;

/**
 * `GET /manage_capabilities` for a browser: the admin page, for holders of
 * `user_management`; its forms post to the same path and go through the same rules
 * as the JSON routes (the change is refused with its reason shown).
 */
@Controller('manage_capabilities')
@UseGuards(CapabilityGuard)
@NeedsFreshStore()
export class AdminPageController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly capabilities: CapabilityService,
    private readonly deletions: AccountDeletionService,
    private readonly keys: ApiKeyService,
    private readonly clients: ClientService,
    private readonly tokens: BearerTokens,
    private readonly audit: AuditRecorder,
    private readonly responder: Responder,
  ) {}

  @Get()
  async show(@CurrentUser() user: Principal | null, @Query() query: Record<string, unknown>, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = this.manager(user, request);
    if (!acceptsHtml(request.headers)) {
      const policy = this.capabilities.policy();
      assertManagesAt(policy, manager, undefined);
      this.responder.json(response, 200, { status: 'ok', users: policy.usersAsObject(), graph: policy.graphAsObject(), scopes: policy.scopesAsObject() });
      return;
    }
    await this.render(response, 200, manager, adminViewOf(query), undefined);
  }

  /** A form of the page; it posts to the page's own address, so the answer shows the same view. */
  @Post()
  async submit(@CurrentUser() user: Principal | null, @Query() query: Record<string, unknown>, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const manager = this.manager(user, request);
    // A body that is no form is refused as a parser would refuse it, not shown as a form's outcome.
    const fields = formFields(request);
    let status = 200;
    let notice: AdminNotice;
    try {
      assertFormFromThisOrigin(request.headers, this.config.baseUrl.origin);
      notice = await this.apply(manager, fields);
    } catch (error) {
      if (!(error instanceof CapabilitiesError)) throw error;
      status = STATUS_OF[error.code] ?? 400;
      notice = { kind: 'refused', text: error.message, code: error.code };
    }
    await this.render(response, status, manager, adminViewOf(query), notice);
  }

  /**
   * The manager, globally or at some scope; a guest's browser is sent to sign in and
   * back, anyone else without `user_management` anywhere gets the module's denial (the
   * 403 page for a browser).
   */
  private manager(user: Principal | null, request: HttpRequest): Principal {
    return requireManagerSomewhere(this.capabilities, user, { headers: request.headers, prefix: this.config.prefix, here: request.originalUrl ?? request.url });
  }

  private async apply(manager: Principal, fields: Record<string, unknown>): Promise<AdminNotice> {
    const op = textField(fields, 'op');
    if (op === 'add' || op === 'remove') {
      const email = assertEmail(textField(fields, 'email'));
      const capability = assertCapabilityName(textField(fields, 'capability'), 'capability');
      // A form of a scope carries it; the change is judged there (a manager of one scope acts nowhere else).
      const scope = fields['scope'] === undefined ? undefined : assertScope(textField(fields, 'scope'));
      if (op === 'remove' && fields['confirmed'] !== 'yes') return this.removalPreview(manager, email, capability, scope);
      await this.capabilities.change(manager, email, { kind: op, capability, scope });
      const where = scope === undefined ? '' : ` at ${scope}`;
      return { kind: 'ok', text: op === 'add' ? `Granted ${capability} to ${email}${where}.` : `Removed ${capability} from ${email}${where}.` };
    }
    // Everything else acts on accounts and keys everywhere: a global manager's.
    assertManagesAt(this.capabilities.policy(), manager, undefined);
    switch (op) {
      case 'revoke_all': {
        const email = assertEmail(textField(fields, 'email'));
        await revokeAllTokens(this.audit, this.tokens, this.capabilities, manager, email);
        return { kind: 'ok', text: `Every token of ${email} issued so far is revoked.` };
      }
      case 'delete': {
        const email = assertEmail(textField(fields, 'email'));
        await this.deletions.delete(manager, email);
        return { kind: 'ok', text: `Deleted the account ${email}: its grants, identity links, sessions and tokens have ended.` };
      }
      case 'key_create': {
        const expires = textField(fields, 'expires_in');
        const note = textField(fields, 'note');
        const { key, record } = await this.keys.create(manager, {
          name: assertKeyName(textField(fields, 'name')),
          capabilities: listField(fields, 'capabilities').map((name) => assertCapabilityName(name, 'capabilities')),
          expiresIn: expires === 'never' ? 'never' : /^\d{1,10}$/.test(expires) ? Number(expires) : expires,
          ...(note === '' ? {} : { note }),
        });
        return { kind: 'ok', text: `Created the API key ${record.name}. Copy it now: it is not shown again.`, key };
      }
      case 'key_revoke': {
        const name = assertKeyName(textField(fields, 'name'));
        await this.keys.revoke(manager, name);
        return { kind: 'ok', text: `Revoked the API key ${name}.` };
      }
      case 'client_create': {
        const name = textField(fields, 'name');
        const { secret, record } = await this.clients.create(manager, { account: textField(fields, 'account'), ...(name === '' ? {} : { name }) });
        return { kind: 'ok', text: `Created an OAuth client of ${record.account}. Copy its secret now: it is not shown again.`, client: { clientId: record.clientId, secret } };
      }
      case 'client_revoke': {
        const revoked = await this.clients.revoke(manager, textField(fields, 'client_id'));
        return { kind: 'ok', text: `Revoked the OAuth client ${revoked.clientId} of ${revoked.account}.` };
      }
      default:
        throw new CapabilitiesError('INVALID_REQUEST', 'unknown form action');
    }
  }

  /**
   * A removal is shown before it is made: what the account would gain and lose, globally
   * and at its scopes, as `nest-capabilities plan` says it; the rules are applied when
   * it is confirmed.
   */
  private removalPreview(manager: Principal, email: string, capability: string, scope: string | undefined): AdminNotice {
    const policy = this.capabilities.policy();
    assertManagesAt(policy, manager, scope);
    const stored = scope === undefined ? policy.stored(email) : policy.storedAt(email, scope);
    const remaining = stored.filter((name) => name !== capability);
    const next = scope === undefined ? policy.withUser(email, remaining) : policy.withScopedUser(scope, email, remaining);
    const where = scope === undefined ? '' : ` at ${scope}`;
    const changes = planAccountChange(policy, next, email).map((change) => planLine(change));
    return {
      kind: 'confirm',
      text: `Remove ${capability} from ${email}${where}?`,
      changes: changes.length > 0 ? changes : [`${email} keeps everything it may use: ${capability} is held another way, or was not stored${where}`],
      fields: { op: 'remove', email, capability, ...(scope === undefined ? {} : { scope }) },
    };
  }

  private async render(response: unknown, status: number, manager: Principal, asked: AdminView, notice: AdminNotice | undefined): Promise<void> {
    const policy = this.capabilities.policy();
    const held = this.capabilities.effectiveSet(manager);
    const action = `${this.config.prefix}/manage_capabilities`;
    if (!held.has(USER_MANAGEMENT)) {
      const scopes = scopeSectionsFor(policy, manager, false);
      this.responder.html(response, status, scopedAdminPage({ manager: manager.email, scopes, action, notice }));
      return;
    }
    const grantable = grantableBy(policy, held);
    const people = listPage(policy, asked, 'people');
    const services = listPage(policy, asked, 'services');
    const html = adminPage({
      manager: manager.email,
      policy,
      grantable,
      view: { ...asked, page: people.page, servicesPage: services.page },
      accounts: people.accounts,
      services: services.accounts,
      keys: this.keys.list(),
      clients: this.clients.list(),
      audit: await this.audit.log.recent({ limit: PAGE_AUDIT_ENTRIES }),
      keysMayNeverExpire: this.config.apiKeys.mayNeverExpire,
      action,
      notice,
      scopes: scopeSectionsFor(policy, manager, true),
    });
    // A page that shows a new secret is kept out of caches and Referer headers.
    const showsSecret = notice?.kind === 'ok' && notice.client !== undefined;
    this.responder.html(response, status, html, [], { showsSecret });
  }
}
