#!/usr/bin/env python3
"""Mutational SIP fuzzing of a running Parley node over UDP and TCP.

Seeds are the RFC 4475/5118 torture messages (read from ../shared/testdata/sip-torture) and
well-formed requests of every method Parley serves (REGISTER, PUBLISH with PIDF, SUBSCRIBE to
presence/winfo/eventlist, MESSAGE, INVITE, SERVICE, NOTIFY, responses). Each round mutates a seed
(byte flips and inserts, SIP-special tokens, line repeats and swaps, extreme numbers, huge values,
truncation, splices, wrong Content-Length) and sends it over UDP or over a TCP stream, in one write
or in fragments. With --user/--password, requests get a valid Digest Authorization for the
mutated request line, so the mutations reach the registrar, presence and routing, not only the
401 path.

While it runs, a probe sends OPTIONS over UDP and TCP every second; a probe that goes unanswered
for --probe-timeout seconds is reported with the last messages sent before it. With --log, the
node's log is watched for ERROR lines and stack traces, and each is saved with the messages that
preceded it, so a finding can be replayed (--replay FILE).

  bench/sipfuzz.py --port 5060 --seconds 600 --log node.log --out /tmp/fuzz \
      --user alice@example.test --password SECRET

Exit code 0 when every probe was answered and no ERROR appeared, 1 otherwise.
"""

import argparse
import glob
import hashlib
import os
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections import deque

TOKENS = [b";", b",", b"<", b">", b'"', b"\\", b"%00", b"%", b"\x00", b"\r\n", b"\n", b"\r",
          b" ", b"\t", b"\r\n ", b":", b"@", b"sip:", b"sips:", b"tel:", b"[", b"]", b"=",
          b"\xff", b"\xc3\x28", b"\xf0\x9f\x98\x80", b"*", b"?", b"&", b"/", b"..", b"::",
          b";lr", b";branch=", b";tag=", b";received=", b";rport", b";expires=", b";q=",
          b"<sip:a@[::1]:5060>", b"\r\n\r\n", b"Content-Length: 0", b"-1", b"0", b"4294967296",
          b"99999999999999999999", b"2147483648", b"-2147483649", b"1e9", b"0x10", b"NaN"]

NUMBERS = [b"0", b"-1", b"1", b"65535", b"65536", b"2147483647", b"2147483648", b"4294967295",
           b"4294967296", b"9223372036854775807", b"9223372036854775808", b"-9223372036854775809",
           b"99999999999999999999999999", b"00000000000000000000001", b"1.5", b"+1", b""]


def pidf(entity, status="open", note="fuzz"):
    return ('<?xml version="1.0" encoding="UTF-8"?>\r\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" '
            'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="%s">'
            '<tuple id="t1"><status><basic>%s</basic></status><contact priority="0.8">%s</contact>'
            '<note xml:lang="en">%s</note></tuple>'
            '<dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></dm:person>'
            '</presence>' % (entity, status, entity, note))


def templates(domain, host, port, user):
    """Well-formed requests Parley serves; {branch}, {callid}, {tag} are filled per message."""
    aor = "sip:%s" % user
    via = "Via: SIP/2.0/{transport} 127.0.0.1:{lport};branch=z9hG4bK{branch};rport\r\n"
    common = ("Max-Forwards: 70\r\nFrom: <%s>;tag={tag}\r\nCall-ID: {callid}\r\n"
              "User-Agent: sipfuzz\r\n" % aor)
    body_pidf = pidf(aor)
    rls = ('<?xml version="1.0"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">'
           '<list name="l"><entry uri="sip:bob@%s"/></list></resource-lists>' % domain)
    multipart = ('--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\n'
                 'Content-Type: application/pidf+xml\r\n\r\n%s\r\n--b1--\r\n' % body_pidf)
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=message 5060 sip null\r\n")
    ms_service = ('<?xml version="1.0"?><setPresence xmlns="http://schemas.microsoft.com/2006/09/'
                  'sip/presence"><publications uri="%s"/></setPresence>' % aor)
    out = []

    def req(method, ruri, extra, body=b"", ctype=None):
        text = "%s %s SIP/2.0\r\n" % (method, ruri) + via + common
        text += "To: <%s>\r\n" % (aor if method in ("REGISTER", "PUBLISH") else
                                   "sip:bob@%s" % domain)
        text += "CSeq: {cseq} %s\r\n" % method
        text += extra
        if isinstance(body, str):
            body = body.encode()
        if ctype:
            text += "Content-Type: %s\r\n" % ctype
        text += "Content-Length: %d\r\n\r\n" % len(body)
        out.append(text.encode() + body)

    contact = "Contact: <sip:%s@127.0.0.1:{lport};transport={transport_lc}>" % user.split("@")[0]
    req("REGISTER", "sip:%s" % domain, contact + ";expires=60;+sip.instance=\"<urn:uuid:%s>\"\r\n"
        "Expires: 60\r\nSupported: path, outbound, gruu\r\n" % uuid.uuid4())
    req("REGISTER", "sip:%s" % domain, "Contact: *\r\nExpires: 0\r\n")
    req("PUBLISH", aor, "Event: presence\r\nExpires: 60\r\n", body_pidf, "application/pidf+xml")
    req("PUBLISH", aor, "Event: presence\r\nSIP-If-Match: abc\r\nExpires: 0\r\n")
    req("SUBSCRIBE", "sip:bob@%s" % domain, contact + "\r\nEvent: presence\r\nExpires: 60\r\n"
        "Accept: application/pidf+xml\r\n")
    req("SUBSCRIBE", aor, contact + "\r\nEvent: presence.winfo\r\nExpires: 60\r\n")
    req("SUBSCRIBE", "sip:%s-list@%s" % (user.split("@")[0], domain), contact +
        "\r\nEvent: presence\r\nRequire: eventlist\r\nSupported: eventlist\r\nAccept: "
        "application/pidf+xml, application/rlmi+xml, multipart/related\r\nExpires: 60\r\n")
    req("MESSAGE", "sip:bob@%s" % domain, "", "hello bob", "text/plain")
    req("MESSAGE", "sip:bob@%s" % domain, "", multipart, "multipart/mixed;boundary=b1")
    req("INVITE", "sip:bob@%s" % domain, contact + "\r\nSupported: ms-text-format\r\n", sdp,
        "application/sdp")
    req("SERVICE", "sip:%s" % domain, contact + "\r\n", ms_service, "application/SOAP+xml")
    req("NOTIFY", "sip:bob@%s" % domain, "Event: presence\r\nSubscription-State: active\r\n",
        body_pidf, "application/pidf+xml")
    req("OPTIONS", "sip:%s" % domain, "Accept: application/sdp\r\n")
    req("INFO", "sip:bob@%s" % domain, "", rls, "application/resource-lists+xml")
    req("BYE", "sip:bob@%s" % domain, "")
    req("CANCEL", "sip:bob@%s" % domain, "")
    req("ACK", "sip:bob@%s" % domain, "")
    out.append(("SIP/2.0 200 OK\r\n" + via + common + "To: <sip:bob@%s>;tag=x\r\n"
                "CSeq: {cseq} NOTIFY\r\nContent-Length: 0\r\n\r\n" % domain).encode())
    out.append(("SIP/2.0 180 Ringing\r\n" + via + common + "To: <sip:bob@%s>;tag=x\r\n"
                "CSeq: {cseq} INVITE\r\nContent-Length: 0\r\n\r\n" % domain).encode())
    return out


def torture_seeds(root):
    seeds = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.dat"), recursive=True)):
        with open(path, "rb") as f:
            seeds.append(f.read())
    return seeds


def sipe_seeds(root, domain):
    """The client's messages in the SIPE wire logs (Microsoft dialect: NTLM, SERVICE, epid, ms-*
    headers), addressed to the node's domain."""
    seeds = []
    for path in sorted(glob.glob(os.path.join(root, "*.siplog"))):
        with open(path, "rb") as f:
            blocks = re.split(rb"\n===== ([A-Z]+) [^\n]*=====\n", f.read())
        for i in range(1, len(blocks) - 1, 2):
            if blocks[i] != b"CLIENT":
                continue
            text = blocks[i + 1].strip(b"\n").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            head, sep, body = text.partition(b"\r\n\r\n")
            seeds.append((head + b"\r\n\r\n" + body).replace(b"example.com", domain.encode()))
    return seeds


class Mutator:
    def __init__(self, rng, seeds):
        self.rng = rng
        self.seeds = seeds

    def mutate(self, data):
        r = self.rng
        for _ in range(r.choice([1, 1, 1, 2, 2, 3, 5])):
            op = r.randrange(13)
            data = [self.flip, self.insert_token, self.delete, self.duplicate, self.line_dup,
                    self.line_delete, self.line_swap, self.number, self.long_value,
                    self.truncate, self.splice, self.content_length, self.case_and_compact][op](data)
        return data

    def pos(self, data):
        return self.rng.randrange(len(data) + 1)

    def flip(self, d):
        if not d:
            return d
        b = bytearray(d)
        for _ in range(self.rng.randint(1, 8)):
            b[self.rng.randrange(len(b))] = self.rng.randrange(256)
        return bytes(b)

    def insert_token(self, d):
        p = self.pos(d)
        return d[:p] + self.rng.choice(TOKENS) * self.rng.choice([1, 1, 2, 10, 100]) + d[p:]

    def delete(self, d):
        if not d:
            return d
        a = self.rng.randrange(len(d))
        return d[:a] + d[a + self.rng.randint(1, 40):]

    def duplicate(self, d):
        if not d:
            return d
        a = self.rng.randrange(len(d))
        b = min(len(d), a + self.rng.randint(1, 200))
        return d[:b] + d[a:b] * self.rng.choice([1, 2, 50]) + d[b:]

    def lines(self, d):
        head, sep, body = d.partition(b"\r\n\r\n")
        return head.split(b"\r\n"), sep, body

    def join(self, lines, sep, body):
        return b"\r\n".join(lines) + sep + body

    def line_dup(self, d):
        lines, sep, body = self.lines(d)
        i = self.rng.randrange(len(lines))
        n = self.rng.choice([1, 2, 70, 500, 3000])
        return self.join(lines[:i] + [lines[i]] * n + lines[i:], sep, body)

    def line_delete(self, d):
        lines, sep, body = self.lines(d)
        if len(lines) > 1:
            del lines[self.rng.randrange(len(lines))]
        return self.join(lines, sep, body)

    def line_swap(self, d):
        lines, sep, body = self.lines(d)
        i, j = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return self.join(lines, sep, body)

    def number(self, d):
        spans = [m.span() for m in re.finditer(rb"\d+", d)]
        if not spans:
            return d
        a, b = self.rng.choice(spans)
        return d[:a] + self.rng.choice(NUMBERS) + d[b:]

    def long_value(self, d):
        p = self.pos(d)
        n = self.rng.choice([300, 1025, 4097, 8200, 66000])
        return d[:p] + bytes([self.rng.choice(b"a;,<\"% 9")]) * n + d[p:]

    def truncate(self, d):
        return d[: self.pos(d)]

    def splice(self, d):
        other = self.rng.choice(self.seeds)
        return d[: self.pos(d)] + other[self.rng.randrange(len(other) + 1):]

    def content_length(self, d):
        n = self.rng.choice([b"0", b"1", b"-5", b"100000", b"70000", b"99999999999",
                             str(max(0, len(d) - 10)).encode(), b""])
        return re.sub(rb"(?im)^(Content-Length|l)\s*:\s*\S*", lambda m: m.group(1) + b": " + n, d,
                      count=1)

    def case_and_compact(self, d):
        swaps = [(b"Via:", b"v:"), (b"From:", b"f:"), (b"To:", b"t:"), (b"Call-ID:", b"i:"),
                 (b"Contact:", b"m:"), (b"Content-Length:", b"l:"), (b"Content-Type:", b"c:"),
                 (b"Event:", b"o:"), (b"Supported:", b"k:"), (b"SIP/2.0", b"sip/2.0"),
                 (b"CSeq:", b"CSEQ :"), (b"Via:", b"VIA\t:")]
        a, b = self.rng.choice(swaps)
        return d.replace(a, b, 1)


def fill(template, transport, lport, cseq):
    text = template
    for key, value in ((b"{branch}", uuid.uuid4().hex.encode()), (b"{callid}",
                       uuid.uuid4().hex.encode()), (b"{tag}", uuid.uuid4().hex[:8].encode()),
                       (b"{transport}", transport.encode()),
                       (b"{transport_lc}", transport.lower().encode()),
                       (b"{lport}", str(lport).encode()), (b"{cseq}", str(cseq).encode())):
        text = text.replace(key, value)
    return text


class Digest:
    """Adds a valid Authorization (qop=auth, counted nc) for whatever request line the mutation
    left, from one nonce asked for once per worker."""

    def __init__(self, user, password, realm):
        self.user, self.password, self.realm = user, password, realm
        self.nonce, self.opaque, self.nc = None, None, 0

    def learn(self, response):
        m = re.search(rb'nonce="([^"]+)"', response)
        if m and b"algorithm=MD5" in response:
            self.nonce, self.nc = m.group(1).decode(), 0
            o = re.search(rb'opaque="([^"]+)"', response)
            self.opaque = o.group(1).decode() if o else None

    def sign(self, message):
        if not self.nonce:
            return message
        m = re.match(rb"([A-Za-z]+) (\S+) ", message)
        head, sep, body = message.partition(b"\r\n\r\n")
        if not m or not sep:
            return message
        method, uri = m.group(1).decode("latin-1"), m.group(2).decode("latin-1")
        self.nc += 1
        nc, cnonce = "%08x" % self.nc, uuid.uuid4().hex[:8]
        h = lambda s: hashlib.md5(s.encode("latin-1")).hexdigest()
        ha1 = h("%s:%s:%s" % (self.user.split("@")[0], self.realm, self.password))
        resp = h("%s:%s:%s:%s:auth:%s" % (ha1, self.nonce, nc, cnonce, h(method + ":" + uri)))
        auth = ('Authorization: Digest username="%s",realm="%s",nonce="%s",uri="%s",'
                'response="%s",algorithm=MD5,qop=auth,nc=%s,cnonce="%s"%s' %
                (self.user.split("@")[0], self.realm, self.nonce, uri, resp, nc, cnonce,
                 ',opaque="%s"' % self.opaque if self.opaque else ""))
        return head + b"\r\n" + auth.encode("latin-1") + sep + body


class Recent:
    def __init__(self, n=40):
        self.items = deque(maxlen=n)
        self.lock = threading.Lock()

    def add(self, transport, data):
        with self.lock:
            self.items.append((time.time(), transport, data))

    def snapshot(self):
        with self.lock:
            return list(self.items)


def save(out, name, recent, extra=b""):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(extra)
        for t, transport, data in recent:
            f.write(b"\n===== %s %.3f %d bytes\n" % (transport.encode(), t, len(data)))
            f.write(data)
    return path


def worker(args, wid, seeds, tmpl, recent, stop, counts):
    rng = random.Random(args.seed * 1000 + wid)
    mut = Mutator(rng, seeds + tmpl)
    digest = Digest(args.user, args.password, args.realm) if args.user else None
    def new_source():
        # Mutated Digest responses fail, and Parley locks a failing source address out (503 with
        # Retry-After); a fresh loopback address per lockout keeps the mutations reaching past
        # the authentication.
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        sock.bind(("127.%d.%d.%d" % (rng.randrange(1, 255), rng.randrange(256),
                                     rng.randrange(1, 255)) if args.rotate_source
                   else "127.0.0.1", 0))
        sock.settimeout(0)
        return sock

    udp = new_source()
    lport = udp.getsockname()[1]
    tcp = None
    cseq = 0
    lockout = False
    while not stop.is_set():
        cseq += 1
        if rng.random() < 0.3:
            base = rng.choice(seeds)
        else:
            base = fill(rng.choice(tmpl), "UDP", lport, cseq)
        use_tcp = rng.random() < 0.4
        if use_tcp:
            base = base.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP").replace(b"transport=udp",
                                                                       b"transport=tcp")
        data = mut.mutate(base) if rng.random() < 0.9 else base
        if digest and rng.random() < 0.7:
            data = digest.sign(data)
        try:
            if use_tcp or len(data) > 65000:
                if tcp is None:
                    tcp = socket.create_connection((args.host, args.port), timeout=2,
                                                   source_address=(udp.getsockname()[0], 0))
                    tcp.settimeout(0)
                recent.add("tcp", data)
                if rng.random() < 0.2 and len(data) > 2:
                    cut = rng.randrange(1, len(data))
                    tcp.sendall(data[:cut])
                    time.sleep(0.001)
                    tcp.sendall(data[cut:])
                else:
                    tcp.sendall(data)
                counts["tcp"] += 1
            else:
                recent.add("udp", data)
                udp.sendto(data, (args.host, args.port))
                counts["udp"] += 1
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            counts["tcp_reset"] += 1
            try:
                tcp.close()
            except Exception:
                pass
            tcp = None
        # Drain what came back: responses teach the digest a nonce; unread data would fill
        # buffers and slow the node's writes down, which is not what is being tested.
        for sock in (udp, tcp):
            if sock is None:
                continue
            try:
                while True:
                    got = sock.recv(65536)
                    if not got:
                        tcp.close()
                        tcp = None
                        counts["tcp_closed"] += 1
                        break
                    counts["responses"] += 1
                    for code in re.findall(rb"(?m)^SIP/2\.0 (\d{3}) ", got):
                        code = code.decode()
                        counts["status"][code] = counts["status"].get(code, 0) + 1
                        counts["samples"].setdefault(code, got)
                    if digest and (b" 401 " in got or b" 407 " in got):
                        digest.learn(got)
                    if args.rotate_source and b"SIP/2.0 503 " in got and b"Retry-After" in got:
                        lockout = True
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                if sock is tcp:
                    tcp = None
                    counts["tcp_reset"] += 1
        if lockout:
            lockout = False
            counts["lockouts"] += 1
            udp.close()
            udp = new_source()
            lport = udp.getsockname()[1]
            if tcp is not None:
                tcp.close()
                tcp = None
        if digest and digest.nonce is None and cseq % 50 == 1:
            probe = fill(tmpl[0], "UDP", lport, cseq)
            udp.sendto(probe, (args.host, args.port))
        if args.rate:
            time.sleep(1.0 / args.rate)


def options(domain, transport, lport):
    return ("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bKprobe%s\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=p\r\nTo: <sip:%s>\r\nCall-ID: probe-%s\r\n"
            "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (
                domain, transport, lport, uuid.uuid4().hex, domain, domain,
                uuid.uuid4().hex)).encode()


def probe_once(args):
    """None when the node answers OPTIONS over UDP and over a new TCP connection, else what
    failed."""
    failures = []
    t0 = time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        request = options(args.realm, "UDP", s.getsockname()[1])
        # Retransmitted like any UA's (RFC 3261 timer A: 0.5 s, doubling): under a flood a
        # datagram may be dropped, which is UDP, not a node that stopped answering.
        interval, deadline = 0.5, time.time() + args.probe_timeout
        s.sendto(request, (args.host, args.port))
        next_send = time.time() + interval
        while True:
            s.settimeout(max(0.01, min(next_send, deadline) - time.time()))
            try:
                got = s.recv(65536)
                if b"probe" in got and got.startswith(b"SIP/2.0 "):
                    break
            except socket.timeout:
                if time.time() >= deadline:
                    raise
                interval *= 2
                next_send = time.time() + interval
                s.sendto(request, (args.host, args.port))
    except OSError as e:
        failures.append("UDP: %s after %.1f s" % (e, time.time() - t0))
    finally:
        s.close()
    t0 = time.time()
    try:
        with socket.create_connection((args.host, args.port), timeout=args.probe_timeout) as t:
            t.sendall(options(args.realm, "TCP", t.getsockname()[1]))
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = t.recv(65536)
                if not chunk:
                    raise OSError("closed")
                got += chunk
            if not got.startswith(b"SIP/2.0 "):
                failures.append("TCP: not a response: %r" % got[:80])
    except OSError as e:
        failures.append("TCP: %s after %.1f s" % (e, time.time() - t0))
    return "; ".join(failures) or None


def watch_log(path, recent, args, findings, stop):
    seen = set()
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        pending = []
        while not stop.is_set():
            line = f.readline()
            if not line:
                if pending:
                    report(pending, recent, args, findings, seen)
                    pending = []
                time.sleep(0.2)
                continue
            if re.search(rb" (ERROR|FATAL) |Exception|^\s+at |OutOfMemory", line):
                pending.append(line)
            elif pending:
                report(pending, recent, args, findings, seen)
                pending = []


def report(lines, recent, args, findings, seen):
    text = b"".join(lines)
    key = re.sub(rb"[0-9a-f]{8,}|\d+", b"#", text[:300])
    if key in seen:
        return
    seen.add(key)
    path = save(args.out, "finding-%03d.txt" % len(findings), recent.snapshot(), text)
    findings.append(path)
    print("FINDING %s\n%s" % (path, text.decode("utf-8", "replace")[:2000]), flush=True)


def replay(args):
    with open(args.replay, "rb") as f:
        content = f.read()
    parts = re.split(rb"\n===== (udp|tcp) [\d.]+ \d+ bytes\n", content)
    tcp = None
    for i in range(1, len(parts), 2):
        transport, data = parts[i].decode(), parts[i + 1]
        if transport == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, (args.host, args.port))
            s.close()
        else:
            tcp = tcp or socket.create_connection((args.host, args.port))
            tcp.sendall(data)
        time.sleep(0.01)
    print("replayed %d messages" % (len(parts) // 2))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5060)
    p.add_argument("--realm", default="example.test", help="the node's SIP domain")
    p.add_argument("--user", help="AOR to sign requests as (user@domain)")
    p.add_argument("--password")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--rate", type=float, default=0, help="messages/s per worker (0: as fast as)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--torture", default=os.path.join(here, "..", "..", "shared", "testdata",
                                                     "sip-torture"))
    p.add_argument("--sipe-logs", default=os.path.join(here, "..", "..", "shared", "protocol",
                                                       "sipe-wire-logs"))
    p.add_argument("--log", help="the node's log file to watch for ERROR lines")
    p.add_argument("--out", default="fuzz-out")
    p.add_argument("--probe-timeout", type=float, default=3)
    p.add_argument("--rotate-source", action="store_true",
                   help="send from a new 127.x.y.z address whenever the node locks one out")
    p.add_argument("--replay", help="send the messages of a saved finding again, in order")
    args = p.parse_args()
    if args.replay:
        replay(args)
        return 0
    seeds = torture_seeds(args.torture) + sipe_seeds(args.sipe_logs, args.realm)
    tmpl = templates(args.realm, args.host, args.port, args.user or "alice@" + args.realm)
    print("seeds: %d torture and SIPE, %d templates" % (len(seeds), len(tmpl)), flush=True)
    recent, stop, findings = Recent(), threading.Event(), []
    counts = {"udp": 0, "tcp": 0, "responses": 0, "tcp_closed": 0, "tcp_reset": 0, "lockouts": 0, "status": {},
              "samples": {}}
    threads = [threading.Thread(target=worker, args=(args, w, seeds, tmpl, recent, stop, counts),
                                daemon=True) for w in range(args.workers)]
    if args.log:
        threads.append(threading.Thread(target=watch_log,
                                        args=(args.log, recent, args, findings, stop), daemon=True))
    for t in threads:
        t.start()
    start, failed_probes = time.time(), 0
    while time.time() - start < args.seconds:
        time.sleep(1)
        failure = probe_once(args)
        if failure:
            failed_probes += 1
            path = save(args.out, "probe-%03d.txt" % failed_probes, recent.snapshot())
            print("PROBE FAILED at %.0f s (%s); last messages in %s" % (
                time.time() - start, failure, path), flush=True)
        if int(time.time() - start) % 10 == 0:
            print("%4.0f s  udp %d  tcp %d  responses %d  tcp closed by node %d  reset %d  "
                  "lockouts %d  findings %d" % (time.time() - start, counts["udp"], counts["tcp"],
                                   counts["responses"], counts["tcp_closed"], counts["tcp_reset"],
                                   counts["lockouts"], len(findings)), flush=True)
    stop.set()
    time.sleep(0.5)
    print("responses by status: %s" % "  ".join(
        "%s %d" % kv for kv in sorted(counts["status"].items())))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "responses.txt"), "wb") as f:
            for code, sample in sorted(counts["samples"].items()):
                f.write(b"===== first %s\n%s\n" % (code.encode(), sample))
    print("done: %d messages, %d failed probes, %d findings" % (
        counts["udp"] + counts["tcp"], failed_probes, len(findings)))
    return 0 if failed_probes == 0 and not findings else 1


if __name__ == "__main__":
    sys.exit(main())
