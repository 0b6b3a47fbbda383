-- wrk script for scripts/bench: when the run ends, prints one line that the bench script reads:
-- requests per second, p50 and p99 latency in milliseconds, and each kind of error (answers of
-- 400 and above, and failed connects, reads, writes and timeouts).
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
