-- wrk script for bench/incidents/run.sh. wrk counts only status >= 400 as errors and prints no p95:
-- this counts every response that is not 2xx (a 302 to the sign-in page is a failure here too) and
-- prints one line with the percentiles in microseconds for run.sh to read.
--
-- It also keeps the session cookie current, as a browser does: the app re-checks a signed-in
-- session every Postmaster:Auth:SessionCheckSeconds (60 s) and answers with a renewed cookie. A
-- client that kept sending the first cookie would make every request after that minute re-check
-- the session against the database, a cost no browser causes.
local threads = {}
local cookie = nil

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    not2xx = 0
end

function request()
    if cookie then
        wrk.headers["Cookie"] = cookie
    end
    return wrk.format()
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        not2xx = not2xx + 1
    end
    local set = headers["Set-Cookie"] or headers["set-cookie"]
    local renewed = set and set:match("^postmaster=([^;]+)")
    if renewed then
        cookie = "postmaster=" .. renewed
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, thread in ipairs(threads) do
        bad = bad + (thread:get("not2xx") or 0)
    end
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d duration_us=%d bytes=%d p50=%d p75=%d p90=%d p95=%d p99=%d max=%d mean=%d not2xx=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration, summary.bytes,
        latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(95), latency:percentile(99),
        latency.max, math.floor(latency.mean + 0.5), bad, e.connect, e.read, e.write, e.timeout))
end
