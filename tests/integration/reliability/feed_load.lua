-- wrk script for test_load_feeds_while_dispatching.py: every other request carries the
-- feed's ETag in If-None-Match (a calendar app refreshing an unchanged feed: 304), the
-- others are plain GETs (200). At the end it prints "status CODE COUNT" per status.
--   wrk -s feed_load.lua URL -- ETAG

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  etag = args[1]
  sent = 0
  statuses = {}
end

function request()
  sent = sent + 1
  if sent % 2 == 0 then
    return wrk.format("GET", nil, { ["If-None-Match"] = etag })
  end
  return wrk.format("GET", nil)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + count
    end
  end
  for code, count in pairs(totals) do
    io.write(string.format("status %d %d\n", code, count))
  end
end
