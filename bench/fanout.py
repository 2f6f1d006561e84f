#!/usr/bin/env python3
"""Presence fan-out in a pool (issue #5 point 8): one PUBLISH, many watchers on three members.

Starts a 3-member Parley pool the way bench/run does (its ParleyPool, loaded from bench/run),
signs in --watchers TCP watchers spread evenly over the members (REGISTER with Digest, then
SUBSCRIBE Event: presence, Expires 600, to presentity p1 on member 1, answering every NOTIFY with
200 on the same connection), then p1 PUBLISHes a PIDF document with a new note --rounds times,
--interval seconds apart. Per round and watcher it records when the NOTIFY carrying that round's
note arrived, relative to the moment the PUBLISH (the credentialed one if challenged) was written. Prints per-round
"last NOTIFY" times, p50/p99 over rounds of that and of all NOTIFY latencies, missed
watcher-rounds and the load average; --json writes the raw numbers. Loopback only; Python 3
standard library only.

--wire (root) also times each NOTIFY as the member sends it (kernel timestamps on lo), with the
first and last NOTIFY of each member; --warmup runs rounds that are reported but not counted (a
fresh member compiles its fan-out path over the first tens of rounds); --client-nice lowers this
client's priority once the members run, so on a small host the members get the cores first, as
they would with the watchers on machines of their own. The figures in docs/performance.md:

  bench/fanout.py --watchers 1000 --warmup 60 --rounds 150 --interval 1 --wire --client-nice 19
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.machinery
import json
import os
import random
import re
import sys
import socket
import struct
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no bench/__pycache__ from loading bench/run
run = importlib.machinery.SourceFileLoader("bench_run", os.path.join(BENCH, "run")).load_module()
DOMAIN = run.DOMAIN
NOTE = re.compile(rb"fanout-r(\d+)-")


class WireClock(threading.Thread):
    """Kernel timestamps of the PUBLISHes and NOTIFYs of each round, as they cross loopback.

    The client's own arrival times include its queue: one asyncio loop reads, parses and answers
    1,000 NOTIFYs one after another, so the last one is seen tens of ms after the kernel had it.
    The issue asks for the time until the last NOTIFY is *sent*; an AF_PACKET socket on lo with
    SO_TIMESTAMPNS gives that without the client's lag (root only; Linux only).
    """

    ETH_P_ALL = 0x0003
    SO_TIMESTAMPNS = 35
    PACKET_OUTGOING = 4

    def __init__(self, ports: set[int]):
        super().__init__(daemon=True)
        self.ports = ports  # the members' SIP ports: only their TCP traffic counts
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(self.ETH_P_ALL))
        self.sock.bind(("lo", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 256 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
        self.publish: dict[int, float] = {}  # round -> last PUBLISH packet (wall clock, s)
        self.notify: dict[int, dict[int, float]] = {}  # round -> watcher port -> first NOTIFY
        self.sender: dict[int, int] = {}  # watcher port -> the member port that sends it NOTIFYs
        self.stopped = False

    def run(self) -> None:
        while not self.stopped:
            try:
                data, anc, _, addr = self.sock.recvmsg(65600, 64)
            except OSError:
                return
            if addr[2] != self.PACKET_OUTGOING or b"fanout-r" not in data:
                continue
            ts = None
            for level, kind, raw in anc:
                if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", raw[:16])
                    ts = sec + nsec / 1e9
            if ts is None or len(data) < 14 + 20 or data[12:14] != b"\x08\x00":
                continue
            ihl = (data[14] & 0x0F) * 4
            if data[14 + 9] != 6:
                continue
            tcp = 14 + ihl
            sport, dport = struct.unpack("!HH", data[tcp:tcp + 4])
            payload = data[tcp + (data[tcp + 12] >> 4) * 4:]
            if dport in self.ports and payload.startswith(b"PUBLISH "):
                n = NOTE.search(payload)
                if n:
                    self.publish[int(n.group(1))] = ts
            elif sport in self.ports and b"NOTIFY sip:" in payload:
                self.sender[dport] = sport
                for n in NOTE.finditer(payload):
                    self.notify.setdefault(int(n.group(1)), {}).setdefault(dport, ts)

    def last_ms(self, k: int) -> tuple[float | None, int]:
        """(last NOTIFY − PUBLISH in ms, NOTIFYs seen) of round k."""
        sent = self.notify.get(k, {})
        if k not in self.publish or not sent:
            return None, len(sent)
        return (max(sent.values()) - self.publish[k]) * 1000, len(sent)

    def per_member_ms(self, k: int) -> dict[int, tuple[float, float]]:
        """member port -> (first, last) NOTIFY of round k sent by it, ms after the PUBLISH."""
        if k not in self.publish:
            return {}
        out: dict[int, tuple[float, float]] = {}
        for port, ts in self.notify.get(k, {}).items():
            ms = (ts - self.publish[k]) * 1000
            lo, hi = out.get(self.sender.get(port, 0), (ms, ms))
            out[self.sender.get(port, 0)] = (min(lo, ms), max(hi, ms))
        return out

    def stop(self) -> None:
        self.stopped = True
        self.sock.close()


def md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def rnd() -> str:
    return f"{random.randrange(1 << 48):x}"


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


CONTENT_LENGTH = re.compile(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)")
BRANCH = re.compile(rb"(?im)^(?:via|v)[ \t]*:.*?branch=([^;,\s]+)")


class Conn(asyncio.Protocol):
    """One TCP connection of one user: requests with Digest, NOTIFYs answered 200 and logged.

    A protocol (callbacks on the loop) rather than a stream reader awaiting each message: the
    client shares the cores with the three members it measures, and readuntil/readexactly per
    NOTIFY cost it ~20% more CPU per round (19-20% of a core against 16-17%).
    """

    def __init__(self, user: str, pw: str, host: str, port: int, timeout: float):
        self.user, self.pw, self.host, self.port, self.timeout = user, pw, host, port, timeout
        self.tag = rnd()
        self.cseq = 0
        self.pending: dict[str, asyncio.Future] = {}
        self.notes: dict[int, float] = {}  # round -> first arrival (monotonic)
        self.notifies = 0
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.create_connection(lambda: self, self.host, self.port),
                               self.timeout)
        self.ip, self.lport = self.transport.get_extra_info("sockname")[:2]

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        for f in self.pending.values():
            if not f.done():
                f.set_exception(ConnectionResetError("connection closed"))
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buf = self.buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end + 4])
            m = CONTENT_LENGTH.search(head)
            total = end + 4 + (int(m.group(1)) if m else 0)
            if len(buf) < total:
                return
            body = bytes(buf[end + 4:total])
            del buf[:total]
            self.on_message(head, body, now)

    def on_message(self, head: bytes, body: bytes, now: float) -> None:
        if head.startswith(b"SIP/2.0 "):
            code = int(head[8:11])
            if code < 200:
                return
            b = BRANCH.search(head)
            f = self.pending.pop(b.group(1).decode(), None) if b else None
            if f is not None and not f.done():
                f.set_result((code, head.decode("latin-1")))
            return
        if head.startswith(b"NOTIFY "):
            self.notifies += 1
            n = NOTE.search(body)
            if n:
                self.notes.setdefault(int(n.group(1)), now)
        self.transport.write(self.answer(head.decode("latin-1")))

    def answer(self, head: str) -> bytes:
        keep = [ln for ln in head.split("\r\n")[1:]
                if re.match(r"(?i)(via|v|from|f|to|t|call-id|i|cseq)\s*:", ln)]
        return ("\r\n".join(["SIP/2.0 200 OK", *keep, "Content-Length: 0", "", ""])).encode()

    def auth(self, ch: str, method: str, uri: str, header: str) -> str:
        realm = re.search(r'realm="([^"]*)"', ch).group(1)
        nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
        qop = re.search(r'qop="?([^",]*)', ch)
        opaque = re.search(r'opaque="([^"]*)"', ch)
        ha1, ha2 = md5(f"{self.user}:{realm}:{self.pw}"), md5(f"{method}:{uri}")
        parts = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"',
                 f'uri="{uri}"', "algorithm=MD5"]
        if qop and "auth" in qop.group(1).split(","):
            cn = rnd()
            resp = md5(f"{ha1}:{nonce}:00000001:{cn}:auth:{ha2}")
            parts += ["qop=auth", "nc=00000001", f'cnonce="{cn}"']
        else:
            resp = md5(f"{ha1}:{nonce}:{ha2}")
        parts.append(f'response="{resp}"')
        if opaque:
            parts.append(f'opaque="{opaque.group(1)}"')
        return f"{header}: Digest " + ", ".join(parts)

    async def send(self, method: str, uri: str, call_id: str, extra: list[str], body: bytes,
                   to_tag: str | None = None, on_write=None) -> tuple[int, str]:
        """Sends the request, answers one 401/407 challenge; returns the final response."""
        auth = None
        for _ in range(2):
            self.cseq += 1
            br = "z9hG4bK" + rnd()
            to = f"<{uri}>" if method != "REGISTER" else f"<sip:{self.user}@{DOMAIN}>"
            lines = [f"{method} {uri} SIP/2.0",
                     f"Via: SIP/2.0/TCP {self.ip}:{self.lport};branch={br};rport",
                     f"From: <sip:{self.user}@{DOMAIN}>;tag={self.tag}",
                     f"To: {to}" + (f";tag={to_tag}" if to_tag else ""),
                     f"Call-ID: {call_id}", f"CSeq: {self.cseq} {method}",
                     f"Contact: <sip:{self.user}@{self.ip}:{self.lport};transport=tcp>",
                     "Max-Forwards: 70", *extra]
            if auth:
                lines.append(auth)
            lines += [f"Content-Length: {len(body)}", "", ""]
            fut = asyncio.get_running_loop().create_future()
            self.pending[br] = fut
            if on_write:  # the last write is the one answered with the final response
                on_write()
            self.transport.write("\r\n".join(lines).encode() + body)
            code, head = await asyncio.wait_for(fut, self.timeout)
            if code not in (401, 407) or auth:
                return code, head
            hname = "www-authenticate" if code == 401 else "proxy-authenticate"
            chs = [ln for ln in head.split("\r\n") if ln.lower().startswith(hname + ":")]
            ch = next((c for c in chs if "MD5" in c.upper()), None) or \
                next((c for c in chs if "algorithm" not in c.lower()), None)
            if ch is None:
                return code, head
            auth = self.auth(ch, method, uri,
                             "Authorization" if code == 401 else "Proxy-Authorization")
        return code, head

    async def register(self) -> int:
        code, _ = await self.send("REGISTER", f"sip:{DOMAIN}", f"reg-{rnd()}@bench",
                                  ["Expires: 3600"], b"")
        return code


def pidf(note: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:p1@{DOMAIN}">'
            f'<tuple id="t1"><status><basic>open</basic></status></tuple>'
            f'<note>{note}</note></presence>').encode()


async def bench(args, members) -> dict:
    host = members[0].host
    p1 = Conn("p1", args.pw["p1"], host, members[0].port, args.timeout)
    await p1.open()
    if (c := await p1.register()) != 200:
        raise SystemExit(f"fanout: p1 REGISTER {c}")
    etag = None
    code, head = await p1.send("PUBLISH", f"sip:p1@{DOMAIN}", f"pub-{rnd()}@bench",
                               ["Event: presence", "Expires: 3600",
                                "Content-Type: application/pidf+xml"], pidf("fanout-start"))
    if code != 200:
        raise SystemExit(f"fanout: initial PUBLISH {code}")
    etag = re.search(r"(?im)^sip-etag\s*:\s*(\S+)", head).group(1)

    watchers: list[Conn] = []
    failures: dict[str, int] = {}
    sem = asyncio.Semaphore(args.concurrency)

    async def sign_in(i: int) -> None:
        m = members[i % len(members)]
        u = f"w{i:05d}"
        c = Conn(u, args.pw[u], host, m.port, args.timeout)
        async with sem:
            try:
                await c.open()
                code = await c.register()
                if code == 200:
                    code, _ = await c.send("SUBSCRIBE", f"sip:p1@{DOMAIN}", f"sub-{rnd()}@bench",
                                           ["Event: presence", "Expires: 600",
                                            "Accept: application/pidf+xml"], b"")
                if code in (200, 202):
                    watchers.append(c)
                    c.member = m.name
                else:
                    failures[str(code)] = failures.get(str(code), 0) + 1
            except (OSError, asyncio.TimeoutError) as e:
                failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1

    t = time.monotonic()
    await asyncio.gather(*(sign_in(i) for i in range(args.watchers)))
    run.log(f"{len(watchers)} watchers subscribed in {time.monotonic() - t:.1f} s; "
            f"failures {failures}; load {run.loadavg():.2f}")
    await asyncio.sleep(args.settle)

    wire = None
    if args.wire:
        wire = WireClock({m.port for m in members})
        wire.start()
    rounds = []
    loads = []
    cpu0, wall0 = time.process_time(), time.monotonic()
    port_name = {m.port: m.name for m in members}
    for k in range(1, args.warmup + args.rounds + 1):
        t0 = [0.0]
        code, head = await p1.send(
            "PUBLISH", f"sip:p1@{DOMAIN}", f"pub-{rnd()}@bench",
            ["Event: presence", "Expires: 3600", f"SIP-If-Match: {etag}",
             "Content-Type: application/pidf+xml"], pidf(f"fanout-r{k}-{rnd()}"),
            on_write=lambda: t0.__setitem__(0, time.monotonic()))
        t_ok = time.monotonic()
        if code == 200:
            etag = re.search(r"(?im)^sip-etag\s*:\s*(\S+)", head).group(1)
        else:
            run.log(f"round {k}: PUBLISH {code}")
        await asyncio.sleep(args.interval)
        lat = [(w.notes[k] - t0[0]) * 1000 for w in watchers if k in w.notes]
        per_member = {}
        for w in watchers:
            if k in w.notes:
                per_member[w.member] = max(per_member.get(w.member, 0),
                                           (w.notes[k] - t0[0]) * 1000)
        loads.append(run.loadavg())
        wire_last, wire_seen = wire.last_ms(k) if wire else (None, 0)
        wire_member = {port_name.get(p, str(p)): v
                       for p, v in (wire.per_member_ms(k) if wire else {}).items()}
        r = {"wire_last_ms": wire_last, "wire_seen": wire_seen, "wire_per_member_ms": wire_member,
             "warmup": k <= args.warmup, "round": k, "publish": code, "received": len(lat),
             "missed": len(watchers) - len(lat), "publish_ok_ms": (t_ok - t0[0]) * 1000, "last_ms": max(lat) if lat else None,
             "p50_ms": pct(lat, 50), "last_per_member_ms": per_member, "latencies": lat}
        rounds.append(r)
        run.log(f"round {k}: PUBLISH 200 after {r['publish_ok_ms']:.1f} ms, "
                f"{len(lat)}/{len(watchers)} NOTIFYs, last "
                f"{r['last_ms'] if lat else float('nan'):.1f} ms, per member "
                + ", ".join(f"{m} {v:.1f}" for m, v in sorted(per_member.items()))
                + (f"; on the wire: last NOTIFY sent {wire_last:.1f} ms after the PUBLISH "
                   f"({wire_seen} seen; first-last per member "
                   + ", ".join(f"{m} {a:.0f}-{b:.0f}" for m, (a, b) in sorted(wire_member.items()))
                   + ")" if wire_last is not None else "")
                + (" [warm-up, not counted]" if k <= args.warmup else ""))
    if wire:
        wire.stop()
    client_cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0) * 100
    return {"client_cpu_percent": client_cpu, "watchers": args.watchers, "subscribed": len(watchers), "failures": failures,
            "rounds": rounds, "load": loads,
            "notifies_per_watcher_max": max((w.notifies for w in watchers), default=0)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--watchers", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=0,
                    help="rounds run first and reported, but not counted (the members' JIT "
                    "compiles the fan-out path in the first rounds)")
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--settle", type=float, default=5.0, help="seconds before the first round")
    ap.add_argument("--concurrency", type=int, default=50, help="watchers signing in at once")
    ap.add_argument("--timeout", type=float, default=15)
    ap.add_argument("--port-base", type=int, default=26000)
    ap.add_argument("--java-opts", default="",
                    help="PARLEY_JAVA_OPTS for each member; write --java-opts=-XX:... (the value "
                    "starts with a dash)")
    ap.add_argument("--wire", action="store_true",
                    help="also time the NOTIFYs as sent, from kernel timestamps on lo (root)")
    ap.add_argument("--client-nice", type=int, default=0,
                    help="niceness of this client once the members run (they keep theirs): "
                    "on a host too small for a separate client machine, 19 lets the members "
                    "have the cores first, as they would with the watchers elsewhere")
    ap.add_argument("--json", help="write raw results here")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    users = [("p1", rnd())] + [(f"w{i:05d}", rnd()) for i in range(args.watchers)]
    args.pw = dict(users)
    work = tempfile.mkdtemp(prefix="parley-fanout-")
    pool = run.ParleyPool(os.path.join(work, "pool"), "127.0.0.1", args.port_base, 3, users,
                          args.java_opts, max_connections=args.watchers + 1000,
                          per_address=args.watchers + 1000)
    try:
        pool.start()
        if args.client_nice:
            os.nice(args.client_nice)
        res = asyncio.run(bench(args, pool.members))
    finally:
        pool.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
        else:
            run.log(f"work folder kept: {work}")
    warm = [r for r in res["rounds"] if r["warmup"]]
    counted = [r for r in res["rounds"] if not r["warmup"]]  # the JSON keeps all
    lasts = [r["last_ms"] for r in counted if r["last_ms"] is not None]
    alll = [x for r in counted for x in r["latencies"]]
    missed = sum(r["missed"] for r in counted)
    print(f"\nwatchers {res['subscribed']}/{args.watchers} (failures {res['failures']}), "
          f"{len(counted)} rounds {args.interval} s apart after {len(warm)} warm-up rounds")
    if warm:
        print("warm-up rounds, last NOTIFY ms as sent (wire) / as received: " + ", ".join(
            f"{r['wire_last_ms'] or float('nan'):.0f}/{r['last_ms'] or float('nan'):.0f}"
            for r in warm))
    print("| round | PUBLISH 200 ms | NOTIFYs | last NOTIFY ms | p50 ms |")
    print("|---|---|---|---|---|")
    for r in counted:
        print(f"| {r['round']} | {r['publish_ok_ms']:.1f} | {r['received']}/{res['subscribed']} | "
              f"{r['last_ms'] if r['last_ms'] is not None else float('nan'):.1f} | "
              f"{r['p50_ms']:.1f} |")
    print(f"last NOTIFY over rounds: p50 {pct(lasts, 50):.1f} ms, p99 {pct(lasts, 99):.1f} ms, "
          f"max {max(lasts, default=float('nan')):.1f} ms (goal p99 < 100 ms)")
    print(f"all NOTIFYs: p50 {pct(alll, 50):.1f} ms, p99 {pct(alll, 99):.1f} ms; "
          f"missed watcher-rounds {missed}; load avg (1 min) during rounds "
          f"{min(res['load'], default=0):.2f}..{max(res['load'], default=0):.2f}; cores "
          f"{os.cpu_count()}; this client's CPU during rounds {res['client_cpu_percent']:.0f}% "
          f"of one core (nice {args.client_nice})")
    wl = [r["wire_last_ms"] for r in counted if r["wire_last_ms"] is not None]
    if args.wire:
        print(f"on the wire (kernel timestamps on lo): last NOTIFY sent after the PUBLISH, over "
              f"rounds: p50 {pct(wl, 50):.1f} ms, p99 {pct(wl, 99):.1f} ms, max "
              f"{max(wl, default=float('nan')):.1f} ms; NOTIFYs seen per round "
              f"{min((r['wire_seen'] for r in counted), default=0)}.."
              f"{max((r['wire_seen'] for r in counted), default=0)}")
        pm = [r["wire_per_member_ms"] for r in counted if r["wire_per_member_ms"]]
        firsts = [min(a for a, _ in x.values()) for x in pm]
        spans = [max(b - a for a, b in x.values()) for x in pm]
        print(f"  first NOTIFY sent: p50 {pct(firsts, 50):.1f} ms after the PUBLISH; a member's "
              f"send span (its first to its last NOTIFY, longest member of the round): p50 "
              f"{pct(spans, 50):.1f} ms, p99 {pct(spans, 99):.1f} ms")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
