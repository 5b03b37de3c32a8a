-- UniCS materialized views in Redis: reads composed views, composing (and keeping) those the apply script dropped
-- since they were last read. Keys as in redis-view-store.lua. ARGV: prefix, spec (JSON), then the view ids.
-- Returns the views' texts in the order asked ('' where the view does not exist).
--
-- A view is the stored record texts concatenated (never re-encoded, so numbers and text stay exactly as projected),
-- children appended inside their parent's object.

local P = ARGV[1]
local spec = cjson.decode(ARGV[2])

local function hashOf(key)
  local flat = redis.call('HGETALL', key)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end

local function sortedKeys(t, prefix)
  local out = {}
  for k, _ in pairs(t) do
    if string.sub(k, 1, #prefix) == prefix then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

local function withChildren(rec, row, children)
  if #children == 0 then return rec end
  local lists = {}
  for _, child in ipairs(children) do
    local items = {}
    for _, f in ipairs(sortedKeys(row, 'c:' .. child .. ':')) do items[#items + 1] = row[f] end
    lists[#lists + 1] = cjson.encode(child) .. ':[' .. table.concat(items, ',') .. ']'
  end
  local body = string.sub(rec, 1, -2)
  local sep = (body == '{') and '' or ','
  return body .. sep .. table.concat(lists, ',') .. '}'
end

local function compose(id)
  local root = hashOf(P .. 'r:' .. id)
  if not root.rec then return '' end
  local parts = {}
  for _, part in ipairs(spec.parts) do
    local rows = {}
    local lv = root['l:' .. part.link]
    if lv then
      local ids = redis.call('SMEMBERS', P .. 'g:' .. part.name .. ':' .. lv)
      table.sort(ids)
      for _, rowId in ipairs(ids) do
        local row = hashOf(P .. 'p:' .. part.name .. ':' .. rowId)
        if row.rec then rows[#rows + 1] = withChildren(row.rec, row, part.children) end
      end
    end
    parts[#parts + 1] = cjson.encode(part.name) .. ':[' .. table.concat(rows, ',') .. ']'
  end
  local sources = {}
  for _, f in ipairs(sortedKeys(root, 's:')) do sources[#sources + 1] = cjson.encode(string.sub(f, 3)) .. ':' .. root[f] end
  local doc = '{"id":' .. cjson.encode(id) .. ',"version":' .. (root.ver or '0') .. ',"root":' .. root.rec .. ',"parts":{' .. table.concat(parts, ',') .. '},"sources":{' .. table.concat(sources, ',') .. '}}'
  redis.call('SET', P .. 'v:' .. id, doc)
  return doc
end

local out = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local doc = redis.call('GET', P .. 'v:' .. id)
  if not doc then doc = compose(id) end
  out[#out + 1] = doc
end
return out
