-- wrk script for the scale-out test: alternate requests no cache may answer (/healthz)
-- with chart answers and pages, which nginx caches after their first miss.
local n = 0

request = function()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", "/healthz")
  elseif n % 3 == 0 then
    return wrk.format("GET", "/d/slow")
  end
  return wrk.format("GET", "/api/v1/dashboards/slow/charts/slow?mode=ok")
end
