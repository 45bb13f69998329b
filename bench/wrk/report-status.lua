-- sluice bench: like report.lua, and also counts every response whose status is not 2xx
-- (wrk itself only counts >= 400). Defining response() makes wrk hand each response to Lua,
-- which costs the load generator a little, so only the route-change case uses this script.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s1xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then return end
  if status < 200 then s1xx = s1xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

done = function(summary, latency, requests)
  local c1, c3, c4, c5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c1 = c1 + (t:get("s1xx") or 0)
    c3 = c3 + (t:get("s3xx") or 0)
    c4 = c4 + (t:get("s4xx") or 0)
    c5 = c5 + (t:get("s5xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"non2xx":%d,"s1xx":%d,"s3xx":%d,"s4xx":%d,"s5xx":%d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout,
    c1 + c3 + c4 + c5, c1, c3, c4, c5))
end
