/**
 * Every admission decision for one account, atomically, on the Redis clock. KEYS: the shared pause (a plain key whose
 * TTL is the wait), the permits (ZSET: permit id scored by its lease's expiry), the calls (ZSET: call id scored by
 * the latest it can have arrived at the provider: its start plus the margin, lowered to its answer's time on release),
 * the learned rate (hash: `version`, bumped by every change; `state`, AdaptiveRateState as JSON; `ceiling`, the
 * configured rate it was learned under; `keepSince`, the oldest accepted start a pending remeasure reads) and the
 * accepted calls (ZSET: call id scored by its admission time, for the learned rate's measures).
 *
 * ARGV[1] is the operation:
 * - `acquire`, id, concurrency, leaseMs, calls (0: no rate), windowMs, marginMs, version ('' when the rate is not
 *   learned): {1, seconds, microseconds} when admitted, else {0, ms to wait at most, reason} (`paused`, `concurrency`
 *   or `rate`), or {2, version, state} when the learned rate's version is not the one the window was computed for
 *   (the caller computes it again and asks at once). Expired permits (a holder that died) and calls a whole window past
 *   their arrival are dropped first.
 * - `release`, id, channel, admitted at ('' unless the provider accepted the call), lookback ms: the permit is freed,
 *   the call counts until now at the latest, an accepted call joins the accepted ones (those older than the lookback
 *   and than `keepSince` dropped), and the channel hears of it (see ReleaseDoorbell); {seconds, microseconds}.
 * - `pause`, ms: no call is admitted for ms (a later pause only ever extends it); {seconds, microseconds, ms left}.
 * - `rate`, what ('state': without the accepted starts): {seconds, microseconds, version, state, ceiling, accepted
 *   starts...} (state and ceiling '' when none).
 * - `rate-set`, version, state, ceiling, keepSince ('' when none): stores the state if the version is still the one
 *   read, {1, new version}; else {0, version, state}: the winner's.
 * - `rate-seed`, state, ceiling: stores the state unless one is kept under the same ceiling; {1 or 0, version, state}.
 *
 * One clock for every replica: a window measured from one replica's start to another's answer would otherwise be off
 * by their clocks' skew, and a pause set by one would end early or late on another.
 */
export const ADMISSION_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local op = ARGV[1]

local function keepFor(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end

local function version()
  return tonumber(redis.call('HGET', KEYS[4], 'version') or '0')
end

if op == 'acquire' then
  if ARGV[8] ~= '' and version() ~= tonumber(ARGV[8]) then
    return {2, version(), redis.call('HGET', KEYS[4], 'state') or ''}
  end
  local paused = redis.call('PTTL', KEYS[1])
  if paused > 0 then return {0, paused, 'paused'} end
  local id = ARGV[2]
  local concurrency = tonumber(ARGV[3])
  local leaseMs = tonumber(ARGV[4])
  local calls = tonumber(ARGV[5])
  local windowMs = tonumber(ARGV[6])
  local marginMs = tonumber(ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local held = redis.call('ZCARD', KEYS[2])
  if held >= concurrency then
    local first = redis.call('ZRANGE', KEYS[2], held - concurrency, held - concurrency, 'WITHSCORES')
    return {0, tonumber(first[2]) - now, 'concurrency'}
  end
  if calls > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - windowMs)
    local open = redis.call('ZCARD', KEYS[3])
    if open >= calls then
      local frees = redis.call('ZRANGE', KEYS[3], open - calls, open - calls, 'WITHSCORES')
      return {0, tonumber(frees[2]) + windowMs - now, 'rate'}
    end
    redis.call('ZADD', KEYS[3], now + marginMs, id)
    keepFor(KEYS[3], marginMs + windowMs)
  end
  redis.call('ZADD', KEYS[2], now + leaseMs, id)
  keepFor(KEYS[2], leaseMs)
  return {1, time[1], time[2]}
elseif op == 'release' then
  local id = ARGV[2]
  if redis.call('ZREM', KEYS[2], id) == 1 and ARGV[3] then redis.call('PUBLISH', ARGV[3], '') end
  redis.call('ZADD', KEYS[3], 'XX', 'LT', now, id)
  if ARGV[4] and ARGV[4] ~= '' then
    local lookback = tonumber(ARGV[5])
    local keep = now - lookback
    local since = tonumber(redis.call('HGET', KEYS[4], 'keepSince') or '')
    if since and since < keep then keep = since end
    redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. keep)
    redis.call('ZADD', KEYS[5], ARGV[4], id)
    redis.call('PEXPIRE', KEYS[5], math.ceil(now - keep + lookback))
  end
  return {time[1], time[2]}
elseif op == 'pause' then
  local ms = tonumber(ARGV[2])
  if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
  return {time[1], time[2], redis.call('PTTL', KEYS[1])}
elseif op == 'rate' then
  local reply = {time[1], time[2], version(), redis.call('HGET', KEYS[4], 'state') or '',
    redis.call('HGET', KEYS[4], 'ceiling') or ''}
  if ARGV[2] == 'state' then return reply end
  for index, value in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1, 'WITHSCORES')) do
    if index % 2 == 0 then reply[#reply + 1] = value end
  end
  return reply
elseif op == 'rate-set' then
  local current = version()
  if current ~= tonumber(ARGV[2]) then return {0, current, redis.call('HGET', KEYS[4], 'state') or ''} end
  redis.call('HSET', KEYS[4], 'version', current + 1, 'state', ARGV[3], 'ceiling', ARGV[4])
  if ARGV[5] == '' then redis.call('HDEL', KEYS[4], 'keepSince') else redis.call('HSET', KEYS[4], 'keepSince', ARGV[5]) end
  return {1, current + 1}
elseif op == 'rate-seed' then
  local current = version()
  if redis.call('HGET', KEYS[4], 'ceiling') == ARGV[3] then
    return {0, current, redis.call('HGET', KEYS[4], 'state') or ''}
  end
  redis.call('HSET', KEYS[4], 'version', current + 1, 'state', ARGV[2], 'ceiling', ARGV[3])
  redis.call('HDEL', KEYS[4], 'keepSince')
  return {1, current + 1, ARGV[2]}
end
return redis.error_reply('unknown admission operation ' .. tostring(op))
`;

/** A TIME reply as ms since the epoch, with its microseconds (so two decisions in one ms keep their order). */
export function redisTimeMs(seconds: unknown, microseconds: unknown): number {
  return Number(seconds) * 1_000 + Number(microseconds) / 1_000;
}
