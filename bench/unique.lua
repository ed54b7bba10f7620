-- wrk script: every request asks for a view no request asked for before, so that no
-- cache can answer it. BENCH_MODE picks how the view varies:
--   permute  the countries of BENCH_COUNTRIES in a new order (the same data and work as
--            that selection, but a new cache key; 10 countries give 3.6 million orders)
--   range    BENCH_PARAMS "from,to" narrowed by a new amount at each end (BENCH_LOW,
--            BENCH_HIGH are the bounds)
-- It ends by printing one JSON line with the request rate and latency percentiles.

local mode = os.getenv("BENCH_MODE") or ""
local path = os.getenv("BENCH_PATH") or "/"
local countries = {}
for code in string.gmatch(os.getenv("BENCH_COUNTRIES") or "", "[^,]+") do
  table.insert(countries, code)
end
local low = tonumber(os.getenv("BENCH_LOW") or "0")
local high = tonumber(os.getenv("BENCH_HIGH") or "0")
local params = {}
for name in string.gmatch(os.getenv("BENCH_PARAMS") or "from,to", "[^,]+") do
  table.insert(params, name)
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Each thread starts far from the others, so no two threads ask for the same view.
  counter = id * 1000003
end

local function permutation(n)
  -- The n-th ordering of the countries (factorial number system).
  local pool, out = {}, {}
  for i, code in ipairs(countries) do pool[i] = code end
  for size = #pool, 1, -1 do
    local f = 1
    for k = 2, size - 1 do f = f * k end
    local index = math.floor(n / f) % size
    table.insert(out, "country=" .. table.remove(pool, index + 1))
  end
  return table.concat(out, "&")
end

function request()
  counter = counter + 1
  local query
  if mode == "permute" then
    query = permutation(counter)
  elseif mode == "range" then
    local span = math.floor((high - low) / 4)
    query = params[1] .. "=" .. (low + counter % span) .. "&" .. params[2] .. "=" .. (high - math.floor(counter / span) % span)
  end
  local target = query and (path .. "?" .. query) or path
  return wrk.format(nil, target)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors))
end
