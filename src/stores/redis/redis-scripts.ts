import type { Redis } from 'ioredis';

// Every change script takes KEYS[1] epoch, KEYS[2] version, KEYS[3] log, KEYS[4] the
// data key, and ARGV[1] the epoch the caller knows, ARGV[2] its deadline (milliseconds
// on the server's clock), ARGV[3] the version it judged against ('' when the change
// needs no judgment), ARGV[4] the log's approximate length cap, then its own fields.
// A refusal is returned as {reason}; a change as {'OK', version, entry id}.
const PRELUDE = `
local function refusal()
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'EPOCH' end
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[2]) then return 'LATE' end
  if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then return 'STALE' end
  return nil
end
local function append(...)
  local v = redis.call('INCR', KEYS[2])
  local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'v', v, ...)
  return {'OK', v, id}
end
local function unchanged()
  return {'OK', tonumber(redis.call('GET', KEYS[2])), ''}
end
local problem = refusal()
if problem then return {problem} end
`;

/**
 * KEYS[4] accounts, KEYS[5] the set of scopes. ARGV[5] what each scope's hash is named
 * after, then ARGV[6..]: scope, email, JSON list, scope, email, JSON list… in order; an
 * empty scope is the global grant (the accounts hash), any other one a grant at exactly
 * that scope, where the list `[]` removes the account from it. Judged: refused with STALE
 * when the version moved. With no triples it writes nothing and confirms that the version
 * judged against is still the newest: how a change that turned out to be a no-op (or a
 * refusal) is known to be judged on the store's state, not on an out-of-date copy. A
 * scoped grant is logged as its own kind, which an instance older than scopes skips
 * rather than reading it as a global grant.
 */
const GRANT = `${PRELUDE}
if #ARGV < 6 then return unchanged() end
local written
for i = 6, #ARGV, 3 do
  local scope, email, list = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if scope == '' then
    redis.call('HSET', KEYS[4], email, list)
    written = append('kind', 'grant', 'email', email, 'capabilities', list)
  else
    local key = ARGV[5] .. scope
    if list == '[]' then
      redis.call('HDEL', key, email)
      if redis.call('EXISTS', key) == 0 then redis.call('SREM', KEYS[5], scope) end
    else
      redis.call('HSET', key, email, list)
      redis.call('SADD', KEYS[5], scope)
    end
    written = append('kind', 'scoped', 'scope', scope, 'email', email, 'capabilities', list)
  end
end
return written
`;

/** ARGV[5] identity, ARGV[6] email. Checked here: a link is never moved. */
const LINK = `${PRELUDE}
local linked = redis.call('HGET', KEYS[4], ARGV[5])
if linked == ARGV[6] then return unchanged() end
if linked then return {'LINKED'} end
redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
return append('kind', 'identity', 'identity', ARGV[5], 'email', ARGV[6])
`;

/**
 * KEYS[4] accounts, KEYS[5] identities, KEYS[6] the set of scopes. ARGV[5] email, ARGV[6]
 * what each scope's hash is named after, ARGV[7] the number of identities linked to the
 * account, then those identities, then every scope where it holds a grant. Judged:
 * refused with STALE when the version moved, so the links and scopes named are all there
 * are. Without an email it writes nothing and confirms the version judged against, as GRANT does.
 */
const DELETE = `${PRELUDE}
if #ARGV < 5 then return unchanged() end
redis.call('HDEL', KEYS[4], ARGV[5])
local links = tonumber(ARGV[7])
for i = 8, 7 + links do redis.call('HDEL', KEYS[5], ARGV[i]) end
for i = 8 + links, #ARGV do
  local key = ARGV[6] .. ARGV[i]
  redis.call('HDEL', key, ARGV[5])
  if redis.call('EXISTS', key) == 0 then redis.call('SREM', KEYS[6], ARGV[i]) end
end
return append('kind', 'delete', 'email', ARGV[5])
`;

/**
 * KEYS[4] the set of scopes. ARGV[5] what each scope's hash is named after, ARGV[6] the
 * scope dropped, ARGV[7..] it and every scope below it that holds grants. Judged, as
 * GRANT: refused with STALE when the version moved, so the scopes named are all there
 * are. With none it writes nothing and confirms the version judged against.
 */
const DROP_SCOPE = `${PRELUDE}
if #ARGV < 7 then return unchanged() end
for i = 7, #ARGV do
  redis.call('DEL', ARGV[5] .. ARGV[i])
  redis.call('SREM', KEYS[4], ARGV[i])
end
return append('kind', 'drop', 'scope', ARGV[6])
`;

/** ARGV[5] token id, ARGV[6] expiry in unix seconds or '' for never. Prunes expired ids. */
const REVOKE_TOKEN = `${PRELUDE}
if redis.call('ZSCORE', KEYS[4], ARGV[5]) then return unchanged() end
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. t[1])
redis.call('ZADD', KEYS[4], ARGV[6] == '' and '+inf' or ARGV[6], ARGV[5])
return append('kind', 'token', 'token', ARGV[5], 'expires', ARGV[6])
`;

/** ARGV[5] email, ARGV[6] cut-off in unix seconds; only ever moves forward. */
const REVOKE_ACCOUNT = `${PRELUDE}
local cutoff = redis.call('HGET', KEYS[4], ARGV[5])
if cutoff and tonumber(cutoff) >= tonumber(ARGV[6]) then return unchanged() end
redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
return append('kind', 'account', 'email', ARGV[5], 'upto', ARGV[6])
`;

/**
 * KEYS[4] API keys (hash -> record), KEYS[5] names (name -> hash). ARGV[5] name, ARGV[6]
 * hash, ARGV[7] the record as JSON, ARGV[8] the record of the key that holds the name
 * now, byte for byte, as the caller judged it no longer live ('' for none). Refused
 * with {'HELD', record} when another record holds the name: the caller judges that
 * one and asks again. No record is decoded here: Redis's JSON decoder refuses some of
 * what JSON.stringify writes (a lone surrogate's escape), so the judging is the caller's.
 */
const KEY_CREATE = `${PRELUDE}
local current = redis.call('HGET', KEYS[5], ARGV[5])
local held = current and redis.call('HGET', KEYS[4], current) or ''
if held ~= ARGV[8] then return {'HELD', held} end
redis.call('HSET', KEYS[4], ARGV[6], ARGV[7])
redis.call('HSET', KEYS[5], ARGV[5], ARGV[6])
return append('kind', 'apikey', 'record', ARGV[7])
`;

/**
 * KEYS as KEY_CREATE; ARGV[5] name, ARGV[6] the record of the newest key of that name,
 * byte for byte, as the caller judged it unrevoked, ARGV[7] that record revoked (JSON).
 * Refused with {'HELD', record} when the record is not the one judged ('' when the
 * name has no key): the caller judges it and asks again. Decodes nothing, as KEY_CREATE.
 */
const KEY_REVOKE = `${PRELUDE}
local hash = redis.call('HGET', KEYS[5], ARGV[5])
local held = hash and redis.call('HGET', KEYS[4], hash) or ''
if held == '' or held ~= ARGV[6] then return {'HELD', held} end
redis.call('HSET', KEYS[4], hash, ARGV[7])
return append('kind', 'apikey', 'record', ARGV[7])
`;

/**
 * KEYS[4] OAuth clients (id -> record). ARGV[5] client id, ARGV[6] the record the id
 * holds now, byte for byte, as the caller judged it ('' for none: a new client),
 * ARGV[7] the new record (JSON). Refused with {'HELD', record} when the id holds
 * another record: the caller judges that one and asks again. Decodes nothing, as KEY_CREATE.
 */
const CLIENT_PUT = `${PRELUDE}
local held = redis.call('HGET', KEYS[4], ARGV[5]) or ''
if held ~= ARGV[6] then return {'HELD', held} end
redis.call('HSET', KEYS[4], ARGV[5], ARGV[7])
return append('kind', 'client', 'record', ARGV[7])
`;

/**
 * KEYS[4] an audit stream. ARGV[5] how to trim it: 'AGE' (ARGV[6] milliseconds: entries
 * older than that on the server's clock may go), 'COUNT' (ARGV[6] entries kept, roughly)
 * or '' (never); ARGV[7] one audit entry as JSON. Not a change: the version and the
 * change log are left alone.
 */
const AUDIT = `${PRELUDE}
local id
if ARGV[5] == 'AGE' then
  local t = redis.call('TIME')
  local oldest = string.format('%.0f', math.max(0, tonumber(t[1]) * 1000 - tonumber(ARGV[6])))
  id = redis.call('XADD', KEYS[4], 'MINID', '~', oldest, '*', 'entry', ARGV[7])
elseif ARGV[5] == 'COUNT' then
  id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'entry', ARGV[7])
else
  id = redis.call('XADD', KEYS[4], '*', 'entry', ARGV[7])
end
return {'OK', tonumber(redis.call('GET', KEYS[2])), id}
`;

/**
 * KEYS: epoch, version, users, identities, log, scopes. ARGV[1] the new epoch, ARGV[2]
 * 'seed' or 'replace', ARGV[3] the number of accounts, ARGV[4] the number of identities,
 * ARGV[5] what each scope's hash is named after, then email/JSON pairs, then
 * identity/email pairs, then for each scope: its path, the number of accounts granted
 * there and their email/JSON pairs. A seed imports only into a prefix that never held
 * a store (returns 1, else 0; -1 for a prefix with data but no epoch: damaged, left
 * alone). A replace empties the accounts, identities and scopes first and logs a
 * `replace` entry, so every instance reloads.
 */
const IMPORT = `
local exists = redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6])
if ARGV[2] == 'seed' and exists > 0 then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  return -1
end
if ARGV[2] == 'replace' then
  for _, scope in ipairs(redis.call('SMEMBERS', KEYS[6])) do redis.call('DEL', ARGV[5] .. scope) end
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[6])
end
local function put(key, from, to)
  for i = from, to, 2000 do
    redis.call('HSET', key, unpack(ARGV, i, math.min(i + 1999, to)))
  end
end
local accounts, identities = tonumber(ARGV[3]), tonumber(ARGV[4])
put(KEYS[3], 6, 5 + 2 * accounts)
put(KEYS[4], 6 + 2 * accounts, 5 + 2 * accounts + 2 * identities)
local i = 6 + 2 * accounts + 2 * identities
while i <= #ARGV do
  local scope, count = ARGV[i], tonumber(ARGV[i + 1])
  put(ARGV[5] .. scope, i + 2, i + 1 + 2 * count)
  redis.call('SADD', KEYS[6], scope)
  i = i + 2 + 2 * count
end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] == 'replace' then
  local v = redis.call('INCR', KEYS[2])
  redis.call('XADD', KEYS[5], '*', 'v', v, 'kind', 'replace')
else
  redis.call('SET', KEYS[2], '0')
end
return 1
`;

/**
 * KEYS[1] the set of scopes; ARGV[1] what each scope's hash is named after. Reads only:
 * answers each scope holding grants and, in one string, its hash's fields and values
 * joined by line feeds (email, JSON list, email, JSON list…). Neither a canonical email
 * nor what JSON.stringify writes holds a line feed, and one string a scope instead of
 * two a grant is what makes a million grants quick to read.
 */
const SCOPES = `
local out = {}
for _, scope in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local fields = redis.call('HGETALL', ARGV[1] .. scope)
  if #fields > 0 then
    out[#out + 1] = scope
    out[#out + 1] = table.concat(fields, '\\n')
  end
end
return out
`;

/** The commands the stores add to their ioredis client. */
export interface StoreCommands {
  capsGrant(...args: (string | number)[]): Promise<unknown>;
  capsLink(...args: (string | number)[]): Promise<unknown>;
  capsDelete(...args: (string | number)[]): Promise<unknown>;
  capsDropScope(...args: (string | number)[]): Promise<unknown>;
  capsRevokeToken(...args: (string | number)[]): Promise<unknown>;
  capsRevokeAccount(...args: (string | number)[]): Promise<unknown>;
  capsImport(args: readonly (string | number)[]): Promise<unknown>;
  capsKeyCreate(...args: (string | number)[]): Promise<unknown>;
  capsKeyRevoke(...args: (string | number)[]): Promise<unknown>;
  capsAudit(...args: (string | number)[]): Promise<unknown>;
  capsClientPut(...args: (string | number)[]): Promise<unknown>;
  capsScopes(...args: (string | number)[]): Promise<unknown>;
}

export type ScriptedRedis = Redis & StoreCommands;

/** Adds the store's scripts to `redis` (sent once, then called by hash). */
export function withStoreScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.capsGrant === 'function') return scripted;
  redis.defineCommand('capsGrant', { numberOfKeys: 5, lua: GRANT });
  redis.defineCommand('capsLink', { numberOfKeys: 4, lua: LINK });
  redis.defineCommand('capsDelete', { numberOfKeys: 6, lua: DELETE });
  redis.defineCommand('capsDropScope', { numberOfKeys: 4, lua: DROP_SCOPE });
  redis.defineCommand('capsRevokeToken', { numberOfKeys: 4, lua: REVOKE_TOKEN });
  redis.defineCommand('capsRevokeAccount', { numberOfKeys: 4, lua: REVOKE_ACCOUNT });
  redis.defineCommand('capsImport', { numberOfKeys: 6, lua: IMPORT });
  redis.defineCommand('capsKeyCreate', { numberOfKeys: 5, lua: KEY_CREATE });
  redis.defineCommand('capsKeyRevoke', { numberOfKeys: 5, lua: KEY_REVOKE });
  redis.defineCommand('capsAudit', { numberOfKeys: 4, lua: AUDIT });
  redis.defineCommand('capsClientPut', { numberOfKeys: 4, lua: CLIENT_PUT });
  redis.defineCommand('capsScopes', { numberOfKeys: 1, lua: SCOPES });
  return scripted;
}
