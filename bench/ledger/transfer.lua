-- bench/ledger/transfer.lua: wrk script for bench/ledger_transfers.sh.
-- Each request is POST /api/v1/wallet/transfer of 0.01 CAD between two distinct wallets
-- picked at random from a list (one waid per line, the file named by the first script
-- argument). The API key comes from the environment (OMNIGATE_BENCH_APIKEY), not from
-- the command line, which other users can see in ps.
--
--   wrk -t2 -c16 -d10s --latency -s transfer.lua https://127.0.0.1:PORT -- wallets.txt
--
-- done() prints one line that the shell script reads:
--   RESULT requests=N duration_us=N rps=N p50_us=N p99_us=N max_us=N non2xx=N
--          not_ok=N connect=N read=N write=N timeout=N
-- not_ok counts 2xx answers whose body is not resultcode 10000 (Ok); non2xx is wrk's own
-- count of answers with status >= 400.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local waids = {}
local headers = {}
not_ok = 0

function init(args)
  local f = assert(io.open(args[1], "r"), "cannot read the wallet list " .. tostring(args[1]))
  for line in f:lines() do
    if line ~= "" then waids[#waids + 1] = line end
  end
  f:close()
  assert(#waids >= 2, "the wallet list needs at least two wallets")
  local key = assert(os.getenv("OMNIGATE_BENCH_APIKEY"), "OMNIGATE_BENCH_APIKEY is not set")
  headers["X-APIKey"] = key
  headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

function request()
  local n = #waids
  local s = math.random(n)
  local d = math.random(n - 1)
  if d >= s then d = d + 1 end
  local body = string.format('{"amount":"0.01","currency":"CAD","sourcewaid":"%s","destinationwaid":"%s"}',
                             waids[s], waids[d])
  return wrk.format("POST", "/api/v1/wallet/transfer", headers, body)
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 and not string.find(body, '"resultcode":10000', 1, true) then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("not_ok") or 0) end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d non2xx=%d not_ok=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max, e.status, bad,
    e.connect, e.read, e.write, e.timeout))
end
