import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CapabilityService, CurrentUser, type Principal } from '../src';
import { escapeHtml, page } from '../src/http/pages/html';
import { AUTH_CONFIG } from '../src/nest/auth.constants';
import type { AuthConfig } from '../src/nest/auth-config';
import { devUserBanner } from '../src/http/pages/dev-user-banner';

/** `GET /`: who you are, what you may do, and the links to try the rest. */
@Controller()
export class HomeController {
  private readonly banner: string;

  constructor(
    private readonly capabilities: CapabilityService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    this.banner = config.devUser === null ? '' : devUserBanner(config.devUser);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  home(@CurrentUser() user: Principal | null): string {
    const held = this.capabilities.effective(user);
    const auth = escapeHtml(this.config.prefix);
    const who = user === null ? '<p>You are not signed in.</p>' : `<p>Signed in as <strong id="user">${escapeHtml(user.email)}</strong>.</p>`;
    const list = held.length === 0 ? '<p>No capabilities.</p>' : `<ul id="capabilities">${held.map((name) => `<li>${escapeHtml(name)}</li>`).join('')}</ul>`;
    const links =
      user === null
        ? `<p><a href="${auth}/login?redirect=/">Sign in</a></p>`
        : `<p><a href="${auth}/token">Get a token</a>${held.includes('user_management') ? ` · <a id="manage" href="${auth}/manage_capabilities">Manage capabilities</a>` : ''} · <a href="${auth}/logout">Sign out</a></p>`;
    return page(
      'nest-capabilities example',
      `${this.banner}<h1>nest-capabilities example</h1>${who}<h2>Your capabilities</h2>${list}${links}
<h2>Try</h2><ul><li><a href="/menu">/menu</a> (read)</li><li><a href="/bake?food=croissant">/bake</a> (bake)</li>
<li><a href="/arrest?who=tony">/arrest</a> (arrest)</li><li><a href="/racket">/racket</a> (racket; sends you to sign in)</li>
<li id="shops">In one shop only (caps.yaml's <code>scopes:</code>): <a href="/shops/paris/menu">/shops/paris/menu</a> (read at shop:paris), <a href="/shops/paris/bake?food=croissant">/shops/paris/bake</a> (bake at shop:paris), <a href="/shops/paris/ovens/2/fire">/shops/paris/ovens/2/fire</a> (bake at shop:paris/oven:2), <a href="/shops/lyon/bake?food=brioche">/shops/lyon/bake</a> (bake at shop:lyon); <a href="${auth}/whoami?scope=shop:paris">${auth}/whoami?scope=shop:paris</a></li>
<li><a href="${auth}/whoami">${auth}/whoami</a></li><li id="admin"><a href="${auth}/manage_capabilities">the admin page</a> (user_management): accounts, grants, API keys, the audit log</li>
<li><a href="${auth}/manage_capabilities/all">${auth}/manage_capabilities/all</a> (user_management, as JSON)</li>
<li id="graphql">GraphQL: <code>POST /graphql</code> with <code>query { menu }</code> (read), <code>mutation { bake(food: "croissant") }</code> (bake) or <code>query { whoami { user capabilities } }</code>, and in one shop <code>query { shopMenu(shop: "paris") }</code> (read at shop:paris) or <code>mutation { bakeAt(shop: "paris", food: "croissant") }</code> (bake at shop:paris); <code>subscription { baked }</code> (read) over graphql-ws on the same path</li>
<li id="websocket">WebSocket: socket.io at <code>/socket.io/</code>, messages <code>menu</code> (read), <code>bake</code> (bake) and <code>bakeAt</code> <code>{"shop", "food"}</code> (bake at the shop), signed in by this session or a token in <code>auth.token</code></li></ul>`,
    );
  }
}
