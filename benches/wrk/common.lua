-- Shared by every script of benches/load.sh: one machine-readable line at the end
-- (requests/s, p50 and p99 in ms, answers >= 400, socket errors), and helpers.
function report(summary, latency)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end

-- Lines of the file named by environment variable `name`, split on spaces.
function read_pairs(name)
  local rows = {}
  local path = os.getenv(name)
  if not path then return rows end
  for line in io.lines(path) do
    local a, b = line:match("^(%S+)%s+(%S+)$")
    if a then rows[#rows + 1] = { a, b } end
  end
  return rows
end

-- With $WRK_STOP_AFTER set, each thread stops after that many answers and appends a line
-- to $WRK_DONE_FILE; wrk itself waits out its duration, so the caller watches that file
-- and interrupts wrk (SIGINT: wrk still reports). benches/profile.sh counts instructions
-- over an exact number of requests this way, benches/soak.py bounds its run.
local stop_after = tonumber(os.getenv("WRK_STOP_AFTER") or "")
if stop_after then
  local answered = 0
  function response()
    answered = answered + 1
    if answered == stop_after then
      local f = io.open(os.getenv("WRK_DONE_FILE") or "/dev/null", "a")
      if f then f:write("done\n"); f:close() end
      wrk.thread:stop()
    end
  end
end
