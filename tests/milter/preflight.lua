-- preflightd driven by miltertest, an independent milter client (Debian package miltertest).
-- Environment: PREFLIGHTD (binary), PREFLIGHT_CONFIG (config file), MILTER_SOCKET (inet:PORT@127.0.0.1).

local function check(cond, what)
  if not cond then error("FAILED: " .. what) end
  mt.echo("ok - " .. what)
end

local function ok(result, what)
  if result ~= nil then error("FAILED: " .. what .. ": " .. tostring(result)) end
end

mt.startfilter(os.getenv("PREFLIGHTD"), "--config", os.getenv("PREFLIGHT_CONFIG"))
local conn = mt.connect(os.getenv("MILTER_SOCKET"), 50, 0.1)
check(conn ~= nil, "connects to preflightd")
ok(mt.conninfo(conn, "client.preflight.test", "127.0.0.1"), "conninfo")

local function message_on(conn, from, rcpts, headers, body)
  ok(mt.macro(conn, SMFIC_MAIL, "i", "TESTQID", "{auth_authen}", "taro"), "macro")
  ok(mt.mailfrom(conn, from), "mailfrom")
  for _, r in ipairs(rcpts) do ok(mt.rcptto(conn, r), "rcptto " .. r) end
  for _, h in ipairs(headers) do ok(mt.header(conn, h[1], h[2]), "header " .. h[1]) end
  ok(mt.eoh(conn), "eoh")
  ok(mt.bodystring(conn, body), "body")
  ok(mt.eom(conn), "eom")
end
local function message(...) message_on(conn, ...) end

-- 1. three external recipients visible in To: To is deleted and replaced; no Bcc header is added
message("<taro@example.co.jp>", {"<a@one.example.com>", "<b@two.example.com>", "<c@three.example.com>"},
        {{"From", "taro@example.co.jp"}, {"To", "a@one.example.com, b@two.example.com, c@three.example.com"},
         {"Subject", "prices"}}, "hello\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE or mt.getreply(conn) == SMFIR_ACCEPT, "bcc mail continues")
check(mt.eom_check(conn, MT_HDRDELETE, "To"), "the To header is deleted")
check(mt.eom_check(conn, MT_HDRADD, "To", "undisclosed-recipients:;"), "To: undisclosed-recipients:; is added")
check(not mt.eom_check(conn, MT_HDRADD, "Bcc"), "no Bcc header is added")
check(mt.eom_check(conn, MT_HDRADD, "X-Preflight-Verdict", "bcc; rules=visible-external-to-bcc"),
      "the verdict header names the rule")

-- 2. second message on the same connection: a rejected subject gets a reply code
message("<taro@example.co.jp>", {"<x@partner.example.com>"},
        {{"To", "x@partner.example.com"}, {"Subject", "TOP-SECRET merger"}}, "secret\r\n")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "the rejected mail gets a reply code")

-- 3. an internal mail with a forged verdict header: the forgery is deleted, only our verdict added
message("<taro@example.co.jp>", {"<hanako@example.co.jp>"},
        {{"To", "hanako@example.co.jp"}, {"X-Preflight-Verdict", "accept; approved=yes"}, {"Subject", "lunch"}},
        "see you\r\n")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Preflight-Verdict"), "a forged X-Preflight-Verdict is deleted")
check(mt.eom_check(conn, MT_HDRADD, "X-Preflight-Verdict", "accept"), "the real verdict is added")
check(not mt.eom_check(conn, MT_HDRDELETE, "To"), "internal mail keeps its To")
check(mt.eom_check(conn, MT_HDRADD) and mt.eom_check(conn, MT_HDRDELETE),
      "eom_check without a header name sees any edit (so the checks of 4 can fail)")

-- 4. a connection the MTA names "inbound" ({daemon_name}, in milter.learn_daemons): mail the policy would
--    reject, with a forged verdict header, is accepted and nothing is added, changed or deleted
local inbound = mt.connect(os.getenv("MILTER_SOCKET"), 50, 0.1)
ok(mt.macro(inbound, SMFIC_CONNECT, "{daemon_name}", "inbound"), "connect macro")
ok(mt.conninfo(inbound, "mx.client.example", "192.0.2.7"), "conninfo inbound")
message_on(inbound, "<a@client.example>", {"<taro@example.co.jp>"},
           {{"From", "a@client.example"}, {"To", "taro@example.co.jp, x@one.example.com, y@two.example.com"},
            {"X-Preflight-Verdict", "accept; approved=yes"}, {"Subject", "TOP-SECRET reply"}}, "hi\r\n")
check(mt.getreply(inbound) == SMFIR_ACCEPT, "inbound mail the policy would reject is accepted")
check(not mt.eom_check(inbound, MT_HDRADD), "no header is added to inbound mail")
check(not mt.eom_check(inbound, MT_HDRDELETE), "no header is deleted from inbound mail")
check(not mt.eom_check(inbound, MT_HDRCHANGE), "no header is changed in inbound mail")
ok(mt.disconnect(inbound), "disconnect inbound")

-- 5. the outgoing connection is checked as before: its kind was fixed at connect, a later macro cannot change it
ok(mt.macro(conn, SMFIC_CONNECT, "{daemon_name}", "inbound"), "late connect macro")
message("<taro@example.co.jp>", {"<x@partner.example.com>"},
        {{"To", "x@partner.example.com"}, {"Subject", "TOP-SECRET again"}}, "secret\r\n")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "outgoing mail is still rejected after an inbound connection")

ok(mt.disconnect(conn), "disconnect")
