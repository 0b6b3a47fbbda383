-- wrk script for the sign-in storm of scripts/bench: every request signs in one of the
-- BENCH_STORM_USERS accounts storm1, storm2, ... with BENCH_PASSWORD. The two wrk threads take
-- turns (odd and even accounts), so no account gets two attempts at the same moment.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local users = tonumber(os.getenv("BENCH_STORM_USERS") or "1000")
local password = (os.getenv("BENCH_PASSWORD") or ""):gsub("[^%w]", function(c)
  return string.format("%%%02X", string.byte(c))
end)
local counter = 0
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/json",
}

request = function()
  counter = counter + 1
  local user = ((counter * 2 + id) % users) + 1
  local body = "identifier=storm" .. user .. "&password=" .. password
  return wrk.format("POST", "/api/auth/login", headers, body)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d errors=%d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout))
end
