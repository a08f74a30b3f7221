/** The usage text of each command, and of the tool as a whole. */
export const HELP: Readonly<Record<string, string>> = {
  main: `Usage: nest-capabilities <command> [options]

Commands:
  init [caps.yaml]                write a commented starter capability file
  validate [caps.yaml]            check a capability file as the app's start-up would
  token --user NAME@service       mint a service token (needs AUTH_SECRET and BASE_URL)
  grant EMAIL CAPABILITY...       add capabilities to an account in caps.yaml (--scope S: at S)
  revoke EMAIL CAPABILITY...      remove capabilities from an account in caps.yaml (--scope S: at S)
  delete EMAIL                    delete an account: its grants, identity links, tokens, sessions
  list [EMAIL]                    show the accounts and scoped grants of caps.yaml, or one account
  keys create NAME CAPABILITY...  create an API key (printed once); keys list; keys revoke NAME
  clients create NAME@service     create an OAuth client (secret printed once); clients list; clients revoke ID
  audit [--email EMAIL]           show the audit trail of changes, newest first
  export                          print the accounts of a shared store as a users: block
  import FILE                     load a users: block into a shared store
  explain EMAIL CAPABILITY        why an account holds a capability (--scope S), or does not
  plan NEW_CAPS                   what every account gains and loses if NEW_CAPS is deployed
  test FILE...                    run policy tests written in YAML (for CI)

Run "nest-capabilities <command> --help" for a command's options.
The capability file is --caps FILE, else $CAPS_FILE, else ./caps.yaml.
With --redis URL (else $REDIS_URL) and --prefix (else $REDIS_PREFIX, default
nest-capabilities:), grant, revoke, delete, list and token work on the accounts
shared through Redis, with the graph of the capability file, as the app does; keys
works on the shared API keys; grant, revoke, delete and keys then write to the shared
audit trail, which audit --redis reads.
Exit status: 0 done, 1 refused (invalid file, unknown capability...), 2 bad usage;
plan and test: 3 an invalid capability or test file, 4 a failed policy test.`,
  explain: `Usage: nest-capabilities explain EMAIL CAPABILITY [--scope S] [--json] [--caps FILE] [--redis URL] [--prefix PREFIX]

Whether EMAIL holds CAPABILITY (at scope S, else globally), and every grant that
leads to it: where it comes from (users, pinned, default, scope) and the chain of
implications from the capability granted to the one asked, e.g.
  bob@example.com holds bake at shop:paris
    scope shop:paris: sell_bread -> bake
The answer is the guard's for a session of that account. --json prints what
GET /manage_capabilities/explain answers. Exit status 0 whether held or not.`,
  plan: `Usage: nest-capabilities plan NEW_CAPS [--caps CURRENT] [--json] [--redis URL] [--prefix PREFIX]

For every account whose effective capabilities would change if NEW_CAPS replaced
CURRENT (globally or at a scope), what it gains and what it loses; guests too.
An account missing from one file holds there what any signed-in user holds.
Warns when no person would hold admin. Nothing is written. With --redis, the
current side is the shared store, whose accounts stay on both sides.
  --json   print {"changes": [{"email", "scope", "gains", "loses"}]}
Exit status 0; 3 when a file is invalid (printed as FILE:LINE:COLUMN: message).`,
  test: `Usage: nest-capabilities test FILE... [--caps FILE]

Runs the policy tests of each FILE:
  caps: ../caps.yaml            # optional; else --caps, then $CAPS_FILE
  tests:
    - name: bakers bake in Paris
      email: bob@example.com     # or guest: true
      scope: shop:paris          # optional
      allow: [bake, read]
      deny: [arrest]
Every assertion is checked; each failure names the test, the capability, what was
expected, and why the policy says otherwise. Exit status 0 when all pass, 4 when an
assertion fails, 3 when a capability or test file is invalid (3 wins over 4).`,
  init: `Usage: nest-capabilities init [FILE] [--caps FILE]

Writes a starter capability file to FILE (default $CAPS_FILE or caps.yaml): a small
graph (read, write, user_management, and admin through auto_admin) and two example
accounts, every key explained in a comment. Never overwrites a file: an existing
FILE is refused (CAPS_FILE_EXISTS, exit status 1).`,
  validate: `Usage: nest-capabilities validate [FILE] [--caps FILE]

Checks FILE (default $CAPS_FILE or caps.yaml) exactly as the app does when it starts:
YAML syntax, schema, undefined capabilities, cycles. Problems are printed as
FILE:LINE:COLUMN: message. Exit status 0 when valid, 1 when not.`,
  token: `Usage: nest-capabilities token --user NAME@service [--scope SCOPE] [--ttl DURATION] [--caps FILE] [--json] [--redis URL] [--prefix PREFIX]

Mints a service token for NAME@service carrying a snapshot of its capabilities in
the capability file, as GET /token?user=NAME@service does. The secret is read from
AUTH_SECRET (never from the command line, which other users can see) and the
issuer from BASE_URL; both must be those of the app. Signed as the app signs:
AUTH_TOKEN_ALG (HS256, EdDSA or ES256) and AUTH_SIGNING_KEY_FILE, when it uses them.

  --scope SCOPE    a token limited to SCOPE (e.g. shop:paris): it carries what the
                   account holds there, and holds nothing outside SCOPE and below it
  --ttl DURATION   lifetime: 3600, 90m, 12h, 30d, or "never" (default 90d)
  --json           print {"service_token", "user", "capabilities", "expires_at"} (and "scope")

Prints only the token otherwise, e.g. TOKEN=$(nest-capabilities token --user ci@service).`,
  grant: `Usage: nest-capabilities grant EMAIL CAPABILITY... [--scope S] [--caps FILE] [--redis URL] [--prefix PREFIX]

Adds each CAPABILITY to EMAIL's grants in the capability file, with the rules of
the management API (known capabilities only), one atomic write that keeps the
file's comments and key order. A running app picks the change up by itself.

  --scope S   grant at scope S only (e.g. shop:paris or org:acme/project:42): it
              holds there and below, never elsewhere; written to the "scopes:" block
              of the capability file, or kept in the shared store`,
  revoke: `Usage: nest-capabilities revoke EMAIL CAPABILITY... [--scope S] [--caps FILE] [--redis URL] [--prefix PREFIX]

Removes each CAPABILITY from EMAIL's grants in the capability file, with the rules
of the management API (known capabilities only; the last admin stays), one atomic
write that keeps comments and key order. Grants under "pinned" are not touched.

  --scope S   remove from EMAIL's grants at exactly scope S (grants above or below
              S stay); an account left with nothing at S, and a scope left empty,
              leave the "scopes:" block (or the shared store)`,
  delete: `Usage: nest-capabilities delete EMAIL [--caps FILE] [--redis URL] [--prefix PREFIX]

Offboarding: deletes EMAIL as POST /manage_capabilities/delete does. Its entry under
"users" and every "identities" line linked to it leave the capability file (one atomic
write that keeps the other lines and comments), or the shared store in Redis; then every
token and session issued to it so far is revoked, through the revocations next to the
capability file (FILE.revoked.json) or those shared through Redis, so that running
instances end them at once. Refused: an unknown account, one pinned in the file (remove
it from "pinned" by hand), the last person holding admin. Written to the audit trail as
"delete" and "revoke_all" by cli:<os user>.`,
  export: `Usage: nest-capabilities export --redis URL [--prefix PREFIX] [--caps FILE]

Prints the accounts and identity links of the shared store in Redis as a caps.yaml
"users:" and "identities:" block: a backup, or the way back to a file store.`,
  import: `Usage: nest-capabilities import FILE --redis URL [--prefix PREFIX] [--caps FILE] [--replace]

Loads the "users:" and "identities:" of FILE (a block, or a whole caps.yaml) into
the shared store in one atomic step, checked like the app's start-up checks a
caps.yaml against the graph of the capability file; somebody must hold admin.
Refuses a prefix that holds accounts already, unless --replace: then they are
replaced and every running instance reloads.`,
  list: `Usage: nest-capabilities list [EMAIL] [--scope S] [--caps FILE] [--json] [--redis URL] [--prefix PREFIX]

Without EMAIL: every account and its grants as stored, then the grants at each
scope ("at shop:paris:" and its accounts). With EMAIL: its stored grants, its
effective capabilities (implications, pinned and default included) and its grants
at each scope.

  --scope S   only the grants at S and below; with EMAIL, also what it may use at S
             
  --json      {"users", "scopes"} ("scopes" when there are any, or with --scope),
              or for EMAIL {"email", "capabilities", "effective", "scopes"}`,
  keys: `Usage: nest-capabilities keys create NAME CAPABILITY... [--scope SCOPE] [--ttl DURATION] [--note TEXT] [--json]
       nest-capabilities keys list [--json]
       nest-capabilities keys revoke NAME
       (each also with [--caps FILE] [--redis URL] [--prefix PREFIX])

API keys kept next to the capability file (FILE.keys.json, hashes only), or with
--redis in the shared store, as the app's POST /manage_capabilities/keys keeps them. "create" prints the key once (it
starts with nck_); only its SHA-256 is stored. "revoke" ends it at once on every
instance that shares the file. Each change is written to the audit trail as
cli:<os user>.

  --ttl DURATION   lifetime: 3600, 90m, 12h, 30d, or "never" (default 90d)
  --note TEXT      what the key is for
  --scope SCOPE    a key limited to SCOPE (e.g. shop:paris): it holds nothing outside
                   SCOPE and below it`,
  clients: `Usage: nest-capabilities clients create NAME@service [--name TEXT] [--scope SCOPE] [--json]
       nest-capabilities clients list [--json]
       nest-capabilities clients revoke CLIENT_ID
       (each also with [--caps FILE] [--redis URL] [--prefix PREFIX])

OAuth 2.0 clients of service accounts, kept next to the capability file
(FILE.clients.json, secrets' hashes only), or with --redis in the shared store, as the
app's POST /manage_capabilities/clients keeps them. "create" prints the client_id and
the client_secret once (it starts with ncs_); the client then gets access tokens at
POST /token (grant_type=client_credentials). "revoke" ends the client and every token
issued to it at once. Each change is written to the audit trail as cli:<os user>.

  --name TEXT      what the client is for
  --scope SCOPE    a client limited to SCOPE (e.g. shop:paris): its tokens hold nothing
                   outside SCOPE and below it`,
  audit: `Usage: nest-capabilities audit [--email EMAIL] [--limit N] [--json] [--redis URL] [--prefix PREFIX]

Prints the audit trail kept next to the capability file (FILE.audit.jsonl, and the
refusals of non-managers kept apart in FILE.audit-refused.jsonl), or with --redis the
one shared through Redis, that every instance's audit route reads; newest first:
when, ok or REFUSED, who, what, on whom, and on which instance.

  --email EMAIL    only changes to this account (or key:NAME for an API key)
  --limit N        at most N entries (default 50)
  --json           one JSON object per line`,
};
