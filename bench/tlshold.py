#!/usr/bin/env python3
"""A held population of registered SIP-over-TLS (or --plain TCP) clients, for bench/run.

Debian's SIPp is built without OpenSSL, so this small asyncio client does what bench/scenarios/
hold.xml does over TLS: every client opens its own TLS connection, REGISTERs with Digest (MD5,
qop=auth when offered), keeps the connection open and refreshes the registration every
--refresh seconds until --hold seconds after it signed in, then unregisters and closes. Like a SIP
client, it waits up to --timeout (Timer F, 32 s) for each answer; a 503 on sign-in is retried
after 5 s on the same connection (at most 5 times), and with --retries a sign-in that got no answer
is tried again on a new connection after a randomised, doubling backoff (RFC 5626 section 4.5).
Progress (signed-in clients, first-attempt sign-ins, retries, sign-in failures, clients dropped
after signing in, sign-in latencies in ms of the attempt that succeeded) is written as JSON to --status every second.
Loopback only; Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import ipaddress
import json
import os
import random
import re
import ssl
import sys
import time

DOMAIN = "example.test"


def md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


class Client:
    def __init__(self, args, user: str, password: str, n: int):
        self.a, self.user, self.pw, self.n = args, user, password, n
        self.cseq = 0
        self.call_id = f"{n}-{os.getpid()}-{random.randrange(1 << 32):x}@bench"
        self.tag = f"{random.randrange(1 << 32):x}"
        self.ip = args.local_ip
        self.transport = "TCP" if args.plain else "TLS"

    def request(self, expires: int, auth: str | None, lport: int) -> bytes:
        self.cseq += 1
        lines = [
            f"REGISTER sip:{DOMAIN} SIP/2.0",
            f"Via: SIP/2.0/{self.transport} {self.ip}:{lport};branch=z9hG4bK{random.randrange(1 << 48):x};rport",
            f"From: <sip:{self.user}@{DOMAIN}>;tag={self.tag}",
            f"To: <sip:{self.user}@{DOMAIN}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <sip:{self.user}@{self.ip}:{lport};transport={self.transport.lower()}>",
            "Max-Forwards: 70",
            f"Expires: {expires}",
        ]
        if auth:
            lines.append(auth)
        lines += ["Content-Length: 0", "", ""]
        return "\r\n".join(lines).encode()

    def authorization(self, challenge: str) -> str:
        realm = re.search(r'realm="([^"]*)"', challenge).group(1)
        nonce = re.search(r'nonce="([^"]*)"', challenge).group(1)
        qop = re.search(r'qop="?([^",]*)', challenge)
        uri = f"sip:{DOMAIN}"
        ha1 = md5(f"{self.user}:{realm}:{self.pw}")
        ha2 = md5(f"REGISTER:{uri}")
        opaque = re.search(r'opaque="([^"]*)"', challenge)
        parts = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"',
                 f'uri="{uri}"', "algorithm=MD5"]
        if qop and "auth" in qop.group(1).split(","):
            cnonce = f"{random.randrange(1 << 32):08x}"
            resp = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
            parts += ["qop=auth", "nc=00000001", f'cnonce="{cnonce}"']
        else:
            resp = md5(f"{ha1}:{nonce}:{ha2}")
        parts.append(f'response="{resp}"')
        if opaque:
            parts.append(f'opaque="{opaque.group(1)}"')
        return "Authorization: Digest " + ", ".join(parts)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, str]:
    while True:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        m = re.search(r"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
        if m and int(m.group(1)):
            await reader.readexactly(int(m.group(1)))
        if head.startswith("SIP/2.0 "):
            code = int(head[8:11])
            if code >= 200:
                return code, head
        # requests (none expected) and provisional responses are skipped


def md5_challenge(head: str) -> str | None:
    for line in head.split("\r\n"):
        if line.lower().startswith("www-authenticate:") and "MD5" in line.upper():
            return line
    for line in head.split("\r\n"):
        if line.lower().startswith("www-authenticate:") and "algorithm" not in line.lower():
            return line
    return None


async def register(c: Client, reader, writer, expires: int, lport: int) -> int:
    writer.write(c.request(expires, None, lport))
    await writer.drain()
    code, head = await asyncio.wait_for(read_response(reader), c.a.timeout)
    if code == 401:
        ch = md5_challenge(head)
        if ch is None:
            return 401
        writer.write(c.request(expires, c.authorization(ch), lport))
        await writer.drain()
        code, head = await asyncio.wait_for(read_response(reader), c.a.timeout)
    return code


class Stats:
    def __init__(self):
        self.signed = 0
        self.failed = 0
        self.refreshed = 0
        self.busy = 0
        self.retried = 0
        self.first_try = 0
        self.dropped = 0  # signed in, then lost (a refresh failed or the connection broke)
        self.active = 0
        self.rtts: list[float] = []
        self.errors: dict[str, int] = {}
        self.attempt_errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        self.failed += 1
        self.errors[what] = self.errors.get(what, 0) + 1

    def drop(self, what: str) -> None:
        """A client that had signed in lost its registration."""
        self.dropped += 1
        self.errors[what] = self.errors.get(what, 0) + 1

    def attempt_error(self, what: str) -> None:
        self.attempt_errors[what] = self.attempt_errors.get(what, 0) + 1

    def snapshot(self, done: bool = False) -> dict:
        return {"signed": self.signed, "failed": self.failed, "refreshed": self.refreshed,
                "active": 0 if done else self.active, "busy": self.busy,
                "retried": self.retried, "first_try": self.first_try, "dropped": self.dropped,
                "rtts": self.rtts,
                "errors": self.errors, "attempt_errors": self.attempt_errors, "done": done}


def local_ip(args, n: int) -> str:
    """Source address of client n: --per-address clients share one (Parley caps connections
    per remote address), spread over 127.<--first-octet..>.x.y."""
    if args.per_address <= 0:
        return args.local_ip
    g = args.offset + n // args.per_address
    return f"127.{args.first_octet + g // 62500}.{(g // 250) % 250}.{2 + g % 250}"


async def sign_in(args, ctx, c: Client, n: int, stats: Stats):
    """One sign-in attempt on a new connection: (code, reader, writer, local port, seconds)."""
    t0 = time.monotonic()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(args.host, args.port, ssl=None if args.plain else ctx,
                                local_addr=(local_ip(args, n), 0), server_hostname=None),
        args.timeout)
    try:
        c.ip, lport = writer.get_extra_info("sockname")[:2]
        code, t0 = await register_until_not_busy(c, reader, writer, lport, stats, t0)
    except BaseException:
        writer.close()
        raise
    return code, reader, writer, lport, time.monotonic() - t0


async def register_until_not_busy(c: Client, reader, writer, lport: int, stats: Stats,
                                  t0: float) -> tuple[int, float]:
    """REGISTERs; a 503 (overload) is retried after its Retry-After (5 s at Parley), at most 5
    times, as a real client does. Returns the last code and when its attempt started (t0 for
    the first)."""
    code = await register(c, reader, writer, c.a.expires, lport)
    for _ in range(5):
        if code != 503:
            break
        stats.busy += 1
        await asyncio.sleep(5)
        t0 = time.monotonic()
        code = await register(c, reader, writer, c.a.expires, lport)
    return code, t0


def retry_delay(args, failures: int) -> float:
    """RFC 5626 section 4.5: wait min(max, base * 2^failures), randomised to 50-100 %."""
    return min(args.retry_max, args.retry_base * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)


async def run_client(args, ctx, user, pw, n, stats: Stats) -> None:
    c = Client(args, user, pw, n)
    writer = None
    held = False
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                code, reader, writer, lport, took = await sign_in(args, ctx, c, n, stats)
                break
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError,
                    ssl.SSLError) as e:
                # a client whose sign-in gets no answer opens a new connection and tries again
                # after a growing, randomised pause, as SIP clients do (RFC 5626 section 4.5)
                stats.attempt_error(type(e).__name__)
                if attempt > args.retries:
                    stats.error(type(e).__name__)
                    return
                stats.retried += 1
                await asyncio.sleep(retry_delay(args, attempt))
        if code != 200:
            writer.close()
            stats.error(f"sign-in {code}")
            return
        stats.rtts.append(took * 1000)
        stats.signed += 1
        if attempt == 1:
            stats.first_try += 1
        stats.active += 1
        held = True
        end = time.monotonic() + args.hold
        try:
            while time.monotonic() + args.refresh < end:
                await asyncio.sleep(args.refresh)
                code, _ = await register_until_not_busy(c, reader, writer, lport, stats, 0.0)
                if code != 200:
                    stats.drop(f"refresh {code}")
                    return
                stats.refreshed += 1
            await asyncio.sleep(max(0.0, end - time.monotonic()))
            await register(c, reader, writer, 0, lport)
        finally:
            stats.active -= 1
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ssl.SSLError,
            AttributeError, ValueError) as e:
        if held:
            stats.drop(f"held: {type(e).__name__}")
        else:
            stats.error(type(e).__name__)
    finally:
        if writer is not None:
            writer.close()


def current_rate(args, t: float) -> float:
    """Sign-ins per second t seconds into the run: with --ramp, a slow start from a tenth of
    --rate up to --rate (cold servers compile their hot paths first, like HAProxy's slowstart)."""
    if args.ramp <= 0 or t >= args.ramp:
        return args.rate
    return args.rate * (0.1 + 0.9 * t / args.ramp)


async def main_async(args) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # loopback benchmark: the server's identity is not at issue
    users = []
    for line in open(args.users):
        parts = line.strip().split(";")
        if len(parts) >= 2 and parts[0] != "SEQUENTIAL":
            users.append((parts[0], parts[1]))
    users = users[: args.count]
    stats = Stats()
    tasks = []

    async def report():
        while True:
            tmp = args.status + ".tmp"
            with open(tmp, "w") as f:
                json.dump(stats.snapshot(), f)
            os.replace(tmp, args.status)
            await asyncio.sleep(1)

    rep = asyncio.create_task(report())
    start = time.monotonic()
    at = 0.0  # when client i starts, seconds after start
    for i, (u, pw) in enumerate(users):
        delay = start + at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(run_client(args, ctx, u, pw, i, stats)))
        at += 1 / current_rate(args, at)
    await asyncio.gather(*tasks)
    rep.cancel()
    with open(args.status, "w") as f:
        json.dump(stats.snapshot(done=True), f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--local-ip", default="127.0.0.1")
    ap.add_argument("--users", required=True, help="bench users.csv (user;password;...)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--rate", type=float, default=100, help="new clients per second")
    ap.add_argument("--ramp", type=float, default=0,
                    help="seconds over which the sign-in rate grows from --rate/10 to --rate")
    ap.add_argument("--refresh", type=float, default=30)
    ap.add_argument("--hold", type=float, default=60, help="seconds each client stays")
    ap.add_argument("--expires", type=int, default=3600)
    ap.add_argument("--timeout", type=float, default=32,
                    help="seconds to wait for each answer (RFC 3261 Timer F = 64 x T1)")
    ap.add_argument("--retries", type=int, default=0,
                    help="sign-in attempts after one that timed out or lost its connection, each "
                    "on a new connection after a backoff (RFC 5626 4.5); 0 = give up at once")
    ap.add_argument("--retry-base", type=float, default=5,
                    help="seconds of the first backoff (doubles per failure, randomised 50-100%%)")
    ap.add_argument("--retry-max", type=float, default=60, help="longest backoff in seconds")
    ap.add_argument("--status", required=True)
    ap.add_argument("--plain", action="store_true", help="plain TCP instead of TLS")
    ap.add_argument("--per-address", type=int, default=0,
                    help="clients per source address (0 = all on --local-ip)")
    ap.add_argument("--first-octet", type=int, default=20)
    ap.add_argument("--offset", type=int, default=0, help="address group offset")
    args = ap.parse_args()
    for a in (args.host, args.local_ip):
        if ipaddress.ip_address(a) not in ipaddress.ip_network("127.0.0.0/8"):
            print(f"tlshold: refusing {a}: only 127.0.0.0/8", file=sys.stderr)
            return 2
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
