import { pageOfAccounts, type AccountPage, type AccountQuery } from '../../capabilities/account-index';
import type { CapabilityPolicy } from '../../capabilities/capability-policy';

/** Accounts the admin page lists at once, in each of its two lists. */
export const ADMIN_PAGE_SIZE = 50;

/** Longest search the page keeps: an email is at most 254 characters. */
const MAX_SEARCH_LENGTH = 320;

/**
 * What the admin page shows: the search, the capability filter and the page of each
 * list. Read from the query string, and carried by every link and every form of the
 * page, so that a change made through a form comes back to the same view.
 */
export interface AdminView {
  /** Part of the email (`?email=`). */
  readonly search: string;
  /** Only accounts holding this capability (`?capability=`), or every account. */
  readonly capability: string | undefined;
  /** The page of the accounts (`?page=`), from 1. */
  readonly page: number;
  /** The page of the service accounts (`?services_page=`), from 1. */
  readonly servicesPage: number;
}

/**
 * The view a request's query string asks for; anything unreadable falls back to the
 * first page of every account.
 *
 * @example adminViewOf({ email: 'bob', page: '3' }) // { search: 'bob', capability: undefined, page: 3, servicesPage: 1 }
 */
export function adminViewOf(query: Readonly<Record<string, unknown>>): AdminView {
  const search = query['email'];
  const capability = query['capability'];
  return {
    search: typeof search === 'string' ? search.slice(0, MAX_SEARCH_LENGTH) : '',
    // A name the graph lacks is kept, and matches nobody: the page says so rather than show everyone.
    capability: typeof capability === 'string' && capability !== '' ? capability.slice(0, 64) : undefined,
    page: pageNumberOf(query['page']),
    servicesPage: pageNumberOf(query['services_page']),
  };
}

function pageNumberOf(value: unknown): number {
  return typeof value === 'string' && /^[1-9]\d{0,6}$/.test(value) ? Number(value) : 1;
}

/**
 * The query string of `view` (with `?`, or empty for the default view), to link to it
 * or to post a form back to it.
 *
 * @example viewQuery({ search: 'bob', capability: undefined, page: 2, servicesPage: 1 }) // '?email=bob&page=2'
 */
export function viewQuery(view: AdminView): string {
  const query = new URLSearchParams();
  if (view.search !== '') query.set('email', view.search);
  if (view.capability !== undefined) query.set('capability', view.capability);
  if (view.page !== 1) query.set('page', String(view.page));
  if (view.servicesPage !== 1) query.set('services_page', String(view.servicesPage));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The accounts of one list (people or service accounts) on the view's page of it, or on
 * its last page when the list is shorter (it shrank since the link was made), with the
 * page shown.
 *
 * @example const { accounts, page } = listPage(policy, view, 'people');
 */
export function listPage(policy: CapabilityPolicy, view: AdminView, kind: AccountQuery['kind']): { accounts: AccountPage; page: number } {
  const page = kind === 'people' ? view.page : view.servicesPage;
  const query = { kind, search: view.search, capability: view.capability, limit: ADMIN_PAGE_SIZE };
  const accounts = pageOfAccounts(policy, { ...query, offset: (page - 1) * ADMIN_PAGE_SIZE });
  if (accounts.emails.length > 0 || accounts.total === 0) return { accounts, page };
  const last = Math.ceil(accounts.total / ADMIN_PAGE_SIZE);
  return { accounts: pageOfAccounts(policy, { ...query, offset: (last - 1) * ADMIN_PAGE_SIZE }), page: last };
}
