#include "frontier/redis_scripts.hpp"

#include <string>

namespace corocrawl::frontier::redis_scripts {
namespace {

// What every script shares: its keys, and schedule(), which keeps a host in `timed` (by when it
// may start) or `turns` (ready, by its next URL's place in the order of admission) exactly when
// it has a URL waiting, room under the per-host limit, and no robots.txt being fetched.
const std::string prelude = R"LUA(
local P = ARGV[1]
local now = tonumber(ARGV[2])
local per_host = tonumber(ARGV[3])  -- 0: no limit
local bfs = ARGV[4] == '1'
local function key(name) return P .. name end
local function stat(name, by) return redis.call('HINCRBY', key('stats'), name, by) end
local function number(value) return tonumber(value) or 0 end

-- A host's own state, in one hash read at once: busy (requests in flight), next (the instant it
-- may start one), delay (Crawl-delay), robots, robotsfail, and where schedule() put it.
local function host_key(origin) return key('h:' .. origin) end

local function schedule(origin)
  local queue = key('q:' .. origin)
  local host = host_key(origin)
  local state = redis.call('HMGET', host, 'busy', 'robots', 'next', 'in')
  local busy, robots, at, where = number(state[1]), state[2], number(state[3]), state[4]
  local to = false
  if redis.call('LLEN', queue) > 0 and
     (origin == '' or not ((per_host > 0 and busy >= per_host) or robots == 'F')) then
    to = at > now and 't' or 'r'
  end
  if where and where ~= to then redis.call('ZREM', key(where == 't' and 'timed' or 'turns'), origin) end
  if to == 't' then
    redis.call('ZADD', key('timed'), at, origin)
  elseif to == 'r' then
    -- Its turn among the ready hosts: its next URL's place in the order of admission.
    local index = number(redis.call('LINDEX', queue, bfs and 0 or -1))
    redis.call('ZADD', key('turns'), bfs and index or -index, origin)
  end
  if where ~= to then
    if to then redis.call('HSET', host, 'in', to) else redis.call('HDEL', host, 'in') end
  end
end

local function split(payload)
  return string.match(payload, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
end

local function owned_by(member, worker)
  local owner = redis.call('HGET', key('owner'), member)
  if owner and string.sub(owner, 1, #worker + 1) == worker .. '\t' then return owner end
  return nil
end

-- A lease's owner is "WORKER\tMARK": 2 for a page, which holds a place in its host's limit and
-- in its worker's share of it; 1 for a robots.txt, a place in the limit only; 0 for neither.
local function give_back(owner, origin, member)
  if not owner then return end
  redis.call('SREM', key('held:' .. string.sub(owner, 1, -3)), member)
  local mark = string.sub(owner, -1)
  if mark == '0' then return end
  redis.call('HINCRBY', host_key(origin), 'busy', -1)
  if mark == '2' then redis.call('HINCRBY', key('mine:' .. string.sub(owner, 1, -3)), origin, -1) end
end

-- A lease ends without a record: the URL waits again, at the front of its host's queue (expired:
-- one attempt more, and past the bound it is owed a worker_lost record instead).
local function release(member, expired, attempts_most)
  local owner = redis.call('HGET', key('owner'), member)
  redis.call('ZREM', key('leases'), member)
  redis.call('HDEL', key('owner'), member)
  if expired then stat('expired', 1) end
  if string.sub(member, 1, 2) == 'r:' then
    local origin = string.sub(member, 3)
    redis.call('HDEL', host_key(origin), 'robots')
    give_back(owner, origin, member)
    schedule(origin)
    return
  end
  local payload = redis.call('HGET', key('items'), member)
  if not payload then
    if owner then redis.call('SREM', key('held:' .. string.sub(owner, 1, -3)), member) end
    return
  end
  local origin, depth, attempts, rest = split(payload)
  give_back(owner, origin, member)
  attempts = number(attempts)
  if expired then
    attempts = attempts + 1
    redis.call('HSET', key('items'), member,
               origin .. '\t' .. depth .. '\t' .. attempts .. '\t' .. rest)
  end
  if expired and attempts >= attempts_most then
    redis.call('RPUSH', key('lost'), member)
  else
    if bfs then
      redis.call('LPUSH', key('q:' .. origin), member)
    else
      redis.call('RPUSH', key('q:' .. origin), member)
    end
    stat('waiting', 1)
  end
  schedule(origin)
end
)LUA";

const std::string admit_text = prelude + R"LUA(
local max_pages = tonumber(ARGV[5])
local widened = tonumber(ARGV[6])
for i = 1, widened do redis.call('SADD', key('scope'), ARGV[6 + i]) end
local seen = key('seen')
local items = key('items')
local admitted = number(redis.call('HGET', key('stats'), 'admitted'))
local first = admitted
local verdicts = {}
local touched = {}
local i = 7 + widened
while i + 5 <= #ARGV do
  local seed, canonical, origin = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local depth, referrer, url = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  i = i + 6
  local verdict
  if seed ~= '1' and admitted >= max_pages then
    verdict = redis.call('SISMEMBER', seen, canonical) == 1 and -1 or -2
  elseif redis.call('SADD', seen, canonical) == 0 then
    verdict = -1
  else
    verdict = admitted
    admitted = admitted + 1
    redis.call('HSET', items, verdict, origin .. '\t' .. depth .. '\t0\t' .. referrer .. '\t' .. url)
    redis.call('RPUSH', key('q:' .. origin), verdict)
    touched[origin] = true
  end
  verdicts[#verdicts + 1] = verdict
end
local waiting = number(redis.call('HGET', key('stats'), 'waiting'))
if admitted > first then
  redis.call('HSET', key('stats'), 'admitted', admitted)
  waiting = stat('waiting', admitted - first)
end
for origin in pairs(touched) do
  redis.call('SADD', key('origins'), origin)
  schedule(origin)
end
local reply = {waiting, redis.call('SCARD', key('scope'))}
for _, verdict in ipairs(verdicts) do reply[#reply + 1] = verdict end
return reply
)LUA";

const std::string lease_text = prelude + R"LUA(
local worker = ARGV[5]
local want = tonumber(ARGV[6])
local delay = tonumber(ARGV[7])
local factor = tonumber(ARGV[8])
local lease_ms = tonumber(ARGV[9])
local attempts_most = tonumber(ARGV[10])
local obey = ARGV[11] == '1'
local feeder = ARGV[12] == '1'

-- (A worker says it lives, and reads input, in renew: every quarter of a lease, not here.)
if not feeder then redis.call('ZREM', key('feeders'), worker) end

-- Leases whose workers died or hung come back first.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', key('leases'), '-inf', now, 'LIMIT', 0, 100)) do
  release(member, true, attempts_most)
end

local entries = {}
local taken = 0
local deadline = now + lease_ms
local function lease(member, mark)
  redis.call('ZADD', key('leases'), deadline, member)
  redis.call('HSET', key('owner'), member, worker .. '\t' .. mark)
  redis.call('SADD', key('held:' .. worker), member)
end
-- With a per-host limit, each live worker may hold its share of a host's places, no more: the
-- one that finishes a request first must not keep them all.
local share = 0
if per_host > 0 then
  share = math.ceil(per_host / math.max(1, redis.call('ZCOUNT', key('workers'), now, '+inf')))
end
local mine = key('mine:' .. worker)
local function add(kind, index, payload, extra)
  entries[#entries + 1] = kind
  entries[#entries + 1] = index
  entries[#entries + 1] = payload
  entries[#entries + 1] = extra
  taken = taken + 1
end

while taken < want do
  local member = redis.call('LPOP', key('lost'))
  if not member then break end
  local payload = redis.call('HGET', key('items'), member)
  if payload then
    lease(member, '0')
    stat('gave_up', 1)
    add('l', member, payload, '')
  end
end

-- Hosts whose delay has passed take their turns.
for _, origin in ipairs(redis.call('ZRANGEBYSCORE', key('timed'), '-inf', now, 'LIMIT', 0, 100)) do
  schedule(origin)
end

for _, origin in ipairs(redis.call('ZRANGE', key('turns'), 0, 31)) do
  if taken >= want then break end
  local host = host_key(origin)
  local state = redis.call('HMGET', host, 'robots', 'delay', 'busy', 'next')
  local robots = obey and origin ~= '' and state[1]
  local kind = robots and string.sub(robots, 1, 1)
  local queue = key('q:' .. origin)
  if obey and origin ~= '' and
     (not robots or kind == 'U' or
      (kind == 'K' and number(string.match(robots, '^K\t(.*)$')) <= now)) then
    -- Its robots.txt first, whoever asks: one request per origin for the whole crawl.
    redis.call('HSET', host, 'robots', 'F', 'busy', number(state[3]) + 1,
               'next', now + math.floor(delay * factor))
    lease('r:' .. origin, '1')
    stat('robots_fetched', 1)
    add('r', '', origin, '')
    schedule(origin)
  else
    local version = robots and string.sub(robots, 3) or ''
    local host_delay = tonumber(state[2]) or delay
    local busy, next_at = number(state[3]), number(state[4])
    local held = share > 0 and number(redis.call('HGET', mine, origin)) or 0
    while taken < want do
      if origin ~= '' and ((per_host > 0 and busy >= per_host) or
                           (share > 0 and held >= share) or next_at > now) then
        break
      end
      local member = bfs and redis.call('LPOP', queue) or redis.call('RPOP', queue)
      if not member then break end
      stat('waiting', -1)
      if origin ~= '' then
        busy, held = busy + 1, held + 1
        next_at = now + math.floor(host_delay * factor)
        redis.call('HSET', host, 'busy', busy, 'next', next_at)
        redis.call('HINCRBY', mine, origin, 1)
      end
      lease(member, origin ~= '' and '2' or '0')
      add('f', member, redis.call('HGET', key('items'), member) or '', version)
    end
    schedule(origin)
  end
end

-- Nothing in flight anywhere, no input to come, and all that waits is on origins whose
-- robots.txt failed robots_attempts times: those URLs are owed records, and the crawl its end.
if taken == 0 and redis.call('ZCARD', key('leases')) == 0 and
   redis.call('ZCARD', key('feeders')) == 0 then
  local stuck = redis.call('SMEMBERS', key('unreachable'))
  local held = 0
  for _, origin in ipairs(stuck) do held = held + redis.call('LLEN', key('q:' .. origin)) end
  if held > 0 and held == number(redis.call('HGET', key('stats'), 'waiting')) then
    for _, origin in ipairs(stuck) do
      local why = string.match(redis.call('HGET', host_key(origin), 'robots') or '', '^U\t(.*)$') or ''
      while taken < want do
        local member = redis.call('LPOP', key('q:' .. origin))
        if not member then break end
        stat('waiting', -1)
        lease(member, '0')
        add('u', member, redis.call('HGET', key('items'), member) or '', why)
      end
      schedule(origin)
    end
  end
end

local waiting = number(redis.call('HGET', key('stats'), 'waiting'))
local done = 0
local next_ready = -1
if taken == 0 then
  if waiting == 0 and number(redis.call('HGET', key('stats'), 'admitted')) > 0 and
     redis.call('ZCARD', key('leases')) == 0 and redis.call('LLEN', key('lost')) == 0 then
    redis.call('ZREMRANGEBYSCORE', key('feeders'), '-inf', now)  -- the dead read no more
    if redis.call('ZCARD', key('feeders')) == 0 then done = 1 end
  end
  local first = redis.call('ZRANGE', key('timed'), 0, 0, 'WITHSCORES')
  if #first == 2 then next_ready = tonumber(first[2]) end
end
local reply = {waiting, redis.call('SCARD', key('scope')), done, next_ready}
for _, value in ipairs(entries) do reply[#reply + 1] = value end
return reply
)LUA";

const std::string acknowledge_text = prelude + R"LUA(
local worker, member, outcome = ARGV[5], ARGV[6], ARGV[7]
local owner = owned_by(member, worker)
if owner then
  if outcome ~= 'done' then
    release(member, false, 0)
    return 1
  end
  redis.call('ZREM', key('leases'), member)
  redis.call('HDEL', key('owner'), member)
  local payload = redis.call('HGET', key('items'), member)
  redis.call('HDEL', key('items'), member)
  stat('done', 1)
  if payload then
    local origin = split(payload)
    give_back(owner, origin, member)
    schedule(origin)
  end
  return 1
end
if outcome ~= 'done' then return 0 end
-- The lease had expired. Its record is made all the same (at least once); if the URL waits
-- again, and nobody has it yet, it is done now rather than fetched again.
stat('late', 1)
local payload = redis.call('HGET', key('items'), member)
if payload and not redis.call('HGET', key('owner'), member) then
  local origin = split(payload)
  local removed = redis.call('LREM', key('q:' .. origin), 1, member)
  if removed == 0 then removed = redis.call('LREM', key('lost'), 1, member) else stat('waiting', -1) end
  if removed > 0 then
    redis.call('HDEL', key('items'), member)
    stat('done', 1)
    schedule(origin)
  end
end
return 0
)LUA";

const std::string robots_done_text = prelude + R"LUA(
local worker, origin, state, text = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local crawl_delay = tonumber(ARGV[9])
local member = 'r:' .. origin
local owner = owned_by(member, worker)
if not owner then return -1 end  -- it expired: another worker fetches it
redis.call('ZREM', key('leases'), member)
redis.call('HDEL', key('owner'), member)
give_back(owner, origin, member)
local host = host_key(origin)
local failures = 0
if string.sub(state, 1, 1) == 'K' then
  redis.call('HSET', host, 'robots', state)
  redis.call('HDEL', host, 'robotsfail')
  redis.call('HSET', key('robotstext'), origin, text)
  redis.call('SREM', key('unreachable'), origin)
  if crawl_delay >= 0 then
    redis.call('HSET', host, 'delay', crawl_delay)
    local after = now + crawl_delay
    if after > number(redis.call('HGET', host, 'next')) then redis.call('HSET', host, 'next', after) end
  end
else
  failures = redis.call('HINCRBY', host, 'robotsfail', 1)
  if failures >= tonumber(ARGV[10]) then redis.call('SADD', key('unreachable'), origin) end
  redis.call('HSET', host, 'robots', 'U\t' .. failures .. '\t' .. string.sub(state, 2))
  local retry = now + math.min(tonumber(ARGV[12]), tonumber(ARGV[11]) * 2 ^ math.min(failures - 1, 20))
  if retry > number(redis.call('HGET', host, 'next')) then redis.call('HSET', host, 'next', retry) end
end
schedule(origin)
return failures
)LUA";

const std::string slow_down_text = prelude + R"LUA(
local origin, until_ms = ARGV[5], tonumber(ARGV[6])
if until_ms > number(redis.call('HGET', host_key(origin), 'next')) then
  redis.call('HSET', host_key(origin), 'next', until_ms)
  schedule(origin)
end
return 0
)LUA";

const std::string renew_text = prelude + R"LUA(
local worker, lease_ms, feeder, ttl = ARGV[5], tonumber(ARGV[6]), ARGV[7] == '1', tonumber(ARGV[8])
local reconcile = ARGV[9] == '1'
redis.call('ZADD', key('workers'), now + ttl, worker)
if feeder then
  redis.call('ZADD', key('feeders'), now + ttl, worker)
else
  redis.call('ZREM', key('feeders'), worker)
end
local mine = {}
local renewed = 0
for i = 10, #ARGV do
  mine[ARGV[i]] = true
  if owned_by(ARGV[i], worker) then
    redis.call('ZADD', key('leases'), 'XX', now + lease_ms, ARGV[i])
    renewed = renewed + 1
  end
end
if reconcile then
  -- Granted to this worker, but the answer was lost with its connection: nobody fetches it.
  for _, member in ipairs(redis.call('SMEMBERS', key('held:' .. worker))) do
    if not mine[member] then release(member, false, 0) end
  end
end
return renewed
)LUA";

const std::string leave_text = prelude + R"LUA(
local worker = ARGV[5]
for i = 6, #ARGV do
  if owned_by(ARGV[i], worker) then release(ARGV[i], false, 0) end
end
redis.call('ZREM', key('workers'), worker)
redis.call('ZREM', key('feeders'), worker)
return 0
)LUA";

}  // namespace

const redis::Script admit{admit_text};
const redis::Script lease{lease_text};
const redis::Script acknowledge{acknowledge_text};
const redis::Script robots_done{robots_done_text};
const redis::Script slow_down{slow_down_text};
const redis::Script renew{renew_text};
const redis::Script leave{leave_text};

}  // namespace corocrawl::frontier::redis_scripts
