/**
 * Every admission decision for one account, atomically, on the Redis clock. KEYS: the shared pause (a plain key whose
 * TTL is the wait), the permits (ZSET: permit id scored by its lease's expiry) and the calls (ZSET: call id scored by
 * the latest it can have arrived at the provider: its start plus the margin, lowered to its answer's time on release).
 *
 * ARGV[1] is the operation:
 * - `acquire`, id, concurrency, leaseMs, calls (0: no rate), windowMs, marginMs: {1, seconds, microseconds} when
 *   admitted, else {0, ms to wait at most, reason} (`paused`, `concurrency` or `rate`). Expired permits (a holder that
 *   died) and calls a whole window past their arrival are dropped first.
 * - `release`, id, channel (optional): the permit is freed, the call counts until now at the latest, and the channel
 *   hears of it (see ReleaseDoorbell); {seconds, microseconds}.
 * - `pause`, ms: no call is admitted for ms (a later pause only ever extends it); {seconds, microseconds, ms left}.
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

if op == 'acquire' then
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
  return {time[1], time[2]}
elseif op == 'pause' then
  local ms = tonumber(ARGV[2])
  if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
  return {time[1], time[2], redis.call('PTTL', KEYS[1])}
end
return redis.error_reply('unknown admission operation ' .. tostring(op))
`;

/** A TIME reply as ms since the epoch, with its microseconds (so two decisions in one ms keep their order). */
export function redisTimeMs(seconds: unknown, microseconds: unknown): number {
  return Number(seconds) * 1_000 + Number(microseconds) / 1_000;
}
