-- UniCS materialized views in Redis: applies a batch of row operations in one atomic script and marks every view
-- they touched for composition (redis-view-compose.lua composes it when it is next read). redis-view-store.ts calls
-- both; memory-view-store.ts implements the same rules in JavaScript and view-store-contract.ts holds both to them.
--
-- Keys (P = prefix "unics:view:<view>:<tenant>:"):
--   P r:<id>                 root row hash: pos, rec (absent once deleted), ver, l:<link> (link values), s:<source> (ts)
--   P li:<link>:<value>      set of root ids whose link has this value
--   P p:<part>:<id>          part row hash: pos, rec, lv (link value), c:<child>:<cid> (child rec), cv:<child>:<cid> (child pos)
--   P g:<part>:<value>       set of part row ids whose link column has this value
--   P v:<id>                 the composed view (JSON text), dropped when the view changes, composed again on read
--   P wm                     hash source -> "<tsMs>:<appliedAtMs>" (watermarks; written by advance, not here)
-- Positions are strings that sort like the source's log; a version whose position is not greater than the stored one
-- is ignored, so replays and duplicates change nothing. An empty position always applies.
--
-- ARGV: prefix, spec (JSON: {parts: [{name, link, children: [name]}]}), and the operations as one JSON array (one
-- argument instead of twelve per operation: encoding thousands of arguments cost the client more than the script
-- costs Redis), each an array of 12 strings:
--   target (r|p|c), id, pos, source, ts ('' when unknown), deleted ('1'|'0'), record ('' when deleted), keep (JSON
--   array of fields to keep from the stored record, or ''), a1, a2, a3, a4
--   root:  a1 = links as JSON object ('' for a delete)
--   part:  a1 = part name, a2 = link value ('' for none)
--   child: a1 = part name, a2 = child name, a3 = parent id, a4 = former parent id ('' for none)
-- Every view touched gets a new version and its composed text is dropped (composed again when next read, by
-- redis-view-compose.lua). Returns a flat array: id, version, '1' when the view no longer exists (else '0'), the
-- indexes of the operations that touched it (comma-separated, 0-based), for every view touched.

local P = ARGV[1]
local spec = cjson.decode(ARGV[2])

local partSpec = {}
for _, part in ipairs(spec.parts) do partSpec[part.name] = part end

local touched, touchedOrder = {}, {}
local newest = {} -- id -> {source -> newest ts among this call's operations}, written once per view at the end
local current = 0 -- index of the operation being applied (0-based), recorded per touched view
local function touch(id, source, ts)
  local by = touched[id]
  if not by then
    by = {}
    touched[id] = by
    newest[id] = {}
    touchedOrder[#touchedOrder + 1] = id
  end
  if by[#by] ~= current then by[#by + 1] = current end
  if source ~= '' and ts ~= '' then
    local n = tonumber(ts)
    local seen = newest[id][source]
    if not seen or seen[1] < n then newest[id][source] = { n, ts } end
  end
end

-- Root ids by link value, remembered within this call (a root operation that moves links forgets them).
local rootsByLink = {}
local function rootsOf(link, value, source, ts)
  if not value or value == '' then return end
  local lk = link .. ':' .. value
  local ids = rootsByLink[lk]
  if not ids then
    ids = redis.call('SMEMBERS', P .. 'li:' .. lk)
    rootsByLink[lk] = ids
  end
  for _, id in ipairs(ids) do touch(id, source, ts) end
end

local function newer(stored, pos)
  return pos == '' or not stored or stored < pos
end

-- A newer version with the same content (a later snapshot, a re-captured record) moves the position only: the view
-- is not recomposed and the changefeed stays quiet.
local function same(storedRec, deleted, record, keep)
  if keep ~= '' then return false end
  if deleted == '1' then return not storedRec end
  return storedRec == record
end

-- A record with some fields kept from the stored one (Debezium could not read their TOASTed columns).
local function merged(stored, record, keep)
  if keep == '' or not stored then return record end
  local fields = cjson.decode(keep)
  if #fields == 0 then return record end
  local old, new = cjson.decode(stored), cjson.decode(record)
  for _, f in ipairs(fields) do new[f] = old[f] end
  return cjson.encode(new)
end

local ops = cjson.decode(ARGV[3])
for i = 0, #ops - 1 do
  current = i
  local op = ops[i + 1]
  local target, id, pos, source, ts, deleted, record, keep = op[1], op[2], op[3], op[4], op[5], op[6], op[7], op[8]
  local a1, a2, a3, a4 = op[9], op[10], op[11], op[12]

  if target == 'r' then
    local key = P .. 'r:' .. id
    local stored = redis.call('HMGET', key, 'pos', 'rec')
    if newer(stored[1], pos) and same(stored[2], deleted, record, keep) then
      redis.call('HSET', key, 'pos', pos)
    elseif newer(stored[1], pos) then
      local links = {}
      if deleted == '1' then
        redis.call('HDEL', key, 'rec')
      else
        redis.call('HSET', key, 'rec', merged(stored[2], record, keep))
        links = cjson.decode(a1)
      end
      redis.call('HSET', key, 'pos', pos)
      -- Move the root between link indexes (a delete leaves every index).
      local fields = redis.call('HKEYS', key)
      local linkNames = {}
      for _, f in ipairs(fields) do
        if string.sub(f, 1, 2) == 'l:' then linkNames[string.sub(f, 3)] = true end
      end
      for name, _ in pairs(links) do linkNames[name] = true end
      rootsByLink = {}
      for name, _ in pairs(linkNames) do
        local old = redis.call('HGET', key, 'l:' .. name)
        local new = links[name]
        if new == cjson.null then new = nil end
        if old ~= new then
          if old then redis.call('SREM', P .. 'li:' .. name .. ':' .. old, id) end
          if new then
            redis.call('SADD', P .. 'li:' .. name .. ':' .. new, id)
            redis.call('HSET', key, 'l:' .. name, new)
          else
            redis.call('HDEL', key, 'l:' .. name)
          end
        end
      end
      touch(id, source, ts)
    end

  elseif target == 'p' then
    local part = partSpec[a1]
    local key = P .. 'p:' .. a1 .. ':' .. id
    local stored = redis.call('HMGET', key, 'pos', 'rec', 'lv')
    if newer(stored[1], pos) and same(stored[2], deleted, record, keep) then
      redis.call('HSET', key, 'pos', pos)
    elseif newer(stored[1], pos) then
      local oldLv = stored[3]
      local newLv = nil
      if deleted ~= '1' and a2 ~= '' then newLv = a2 end
      if deleted == '1' then
        redis.call('HDEL', key, 'rec', 'lv')
        redis.call('HSET', key, 'pos', pos)
      elseif newLv and oldLv ~= newLv then
        redis.call('HSET', key, 'rec', merged(stored[2], record, keep), 'pos', pos, 'lv', newLv)
      else
        redis.call('HSET', key, 'rec', merged(stored[2], record, keep), 'pos', pos)
        if oldLv and not newLv then redis.call('HDEL', key, 'lv') end
      end
      if oldLv ~= newLv then
        if oldLv then redis.call('SREM', P .. 'g:' .. a1 .. ':' .. oldLv, id) end
        if newLv then redis.call('SADD', P .. 'g:' .. a1 .. ':' .. newLv, id) end
        rootsOf(part.link, oldLv, source, ts)
      end
      rootsOf(part.link, newLv, source, ts)
    end

  elseif target == 'c' then
    local part = partSpec[a1]
    local key = P .. 'p:' .. a1 .. ':' .. a3
    local recField, posField = 'c:' .. a2 .. ':' .. id, 'cv:' .. a2 .. ':' .. id
    local stored = redis.call('HMGET', key, posField, recField, 'lv')
    if newer(stored[1], pos) and (a4 == '' or a4 == a3) and same(stored[2], deleted, record, keep) then
      redis.call('HSET', key, posField, pos)
    elseif newer(stored[1], pos) then
      if a4 ~= '' and a4 ~= a3 then
        local fromKey = P .. 'p:' .. a1 .. ':' .. a4
        redis.call('HDEL', fromKey, recField, posField)
        rootsOf(part.link, redis.call('HGET', fromKey, 'lv'), source, ts)
      end
      if deleted == '1' then
        redis.call('HDEL', key, recField)
        redis.call('HSET', key, posField, pos)
      else
        redis.call('HSET', key, recField, merged(stored[2], record, keep), posField, pos)
      end
      rootsOf(part.link, stored[3], source, ts)
    end
  end
end

local out = {}
for _, id in ipairs(touchedOrder) do
  local key = P .. 'r:' .. id
  redis.call('DEL', P .. 'v:' .. id)
  local exists = redis.call('HEXISTS', key, 'rec') == 1
  -- The version and the newest source times in one read and at most one write.
  local fields = { 'ver' }
  for source, _ in pairs(newest[id]) do fields[#fields + 1] = 's:' .. source end
  local cur = redis.call('HMGET', key, unpack(fields))
  local version = tonumber(cur[1] or '0')
  local set = {}
  if exists then
    version = version + 1
    set[#set + 1] = 'ver'
    set[#set + 1] = string.format('%d', version)
  end
  for i = 2, #fields do
    local ts = newest[id][string.sub(fields[i], 3)]
    if not cur[i] or tonumber(cur[i]) < ts[1] then
      set[#set + 1] = fields[i]
      set[#set + 1] = ts[2]
    end
  end
  if #set > 0 then redis.call('HSET', key, unpack(set)) end
  out[#out + 1] = id
  out[#out + 1] = version
  out[#out + 1] = exists and '0' or '1'
  out[#out + 1] = table.concat(touched[id], ',')
end
return out
