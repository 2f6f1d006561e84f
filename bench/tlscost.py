#!/usr/bin/env python3
"""Node-side cost of SIP connections: CPU per TLS (or TCP) sign-on and heap per idle connection.

Runs against a node that is already up (e.g. `bin/parley standalone --tls-port ...`), given its
JVM's pid. Python 3 standard library only; loopback only.

  handshakes: --count connections, at most --concurrency at a time, each: connect, TLS handshake,
      one OPTIONS answered, close. Prints the node's CPU time (utime + stime from /proc/PID/stat)
      per connection, and the key type of the certificate the node presented.
  idle: opens --count connections (--per-address per source address 127.1.x.y), each: connect,
      handshake, one OPTIONS answered, then idle. Prints the node's live heap (jcmd GC.run twice,
      then GC.heap_info "used") before and after, per connection.

--tls12 limits the client to TLS 1.2 (its default suites: the node picks ECDSA); --rsa-only makes
the client what a TLS stack without ECDSA looks like to the server: TLS 1.2 with
only ECDHE-RSA cipher suites (Python's ssl cannot restrict TLS 1.3 signature schemes).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import re
import socket
import ssl
import subprocess
import sys
import time

EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1, DER


def cpu_ms(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def live_heap_kib(pid: int) -> int:
    jcmd = os.path.join(os.path.dirname(os.path.realpath(f"/proc/{pid}/exe")), "jcmd")
    for _ in range(2):
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=120)
        time.sleep(1)
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True,
                         timeout=120).stdout
    m = re.search(r"used (\d+)K", out)
    if not m:
        raise SystemExit(f"no heap figure in jcmd output:\n{out}")
    return int(m.group(1))


def context(args) -> ssl.SSLContext | None:
    if args.plain:
        return None
    ctx = ssl.create_default_context(cafile=args.ca)
    if args.tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.rsa_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
    return ctx


def options(n: int, lport: int, transport: str) -> bytes:
    return (
        f"OPTIONS sip:{args.domain} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} 127.0.0.1:{lport};branch=z9hG4bK-cost-{n}-{os.getpid()};rport\r\n"
        f"From: <sip:cost@{args.domain}>;tag={n}\r\n"
        f"To: <sip:{args.domain}>\r\n"
        f"Call-ID: cost-{n}-{os.getpid()}\r\n"
        "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


async def sign_on(n: int, ctx, local_ip: str | None, key_types: dict):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(args.host, args.port, ssl=ctx,
                                server_hostname="localhost" if ctx else None,
                                local_addr=(local_ip, 0) if local_ip else None),
        args.timeout)
    sslobj = writer.get_extra_info("ssl_object")
    if sslobj is not None:
        der = sslobj.getpeercert(binary_form=True)
        kt = ("EC" if EC_PUBLIC_KEY_OID in der else "RSA") + " " + sslobj.version()
        key_types[kt] = key_types.get(kt, 0) + 1
    lport = writer.get_extra_info("sockname")[1]
    writer.write(options(n, lport, "TLS" if ctx else "TCP"))
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), args.timeout)
    if not head.startswith(b"SIP/2.0 "):
        raise RuntimeError(f"unexpected answer {head[:40]!r}")
    return reader, writer


async def handshakes():
    ctx = context(args)
    key_types: dict = {}
    sem = asyncio.Semaphore(args.concurrency)
    failures = 0

    async def one(n):
        nonlocal failures
        async with sem:
            try:
                _, w = await sign_on(n, ctx, None, key_types)
                # No TLS close_notify exchange (asyncio would wait for the node's): the node sees
                # the peer go away, as when a client quits.
                w.transport.abort()
            except Exception as e:  # noqa: BLE001 - counted and reported
                failures += 1
                if failures <= 3:
                    print(f"failure: {e!r}", file=sys.stderr)

    for phase, count in (("warm-up", args.warmup), ("measured", args.count)):
        if count == 0:
            continue
        key_types.clear()
        before = cpu_ms(args.pid)
        t = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(count)))
        wall = time.monotonic() - t
        spent = cpu_ms(args.pid) - before
        print(f"{phase}: {count} connections in {wall:.1f} s, node CPU {spent:.0f} ms = "
              f"{spent / count:.2f} ms per connection; failures {failures}; served {key_types}")


async def idle():
    ctx = context(args)
    key_types: dict = {}
    before = live_heap_kib(args.pid)
    base = int(ipaddress.IPv4Address("127.1.0.1"))
    held = []
    for n in range(args.count):
        ip = str(ipaddress.IPv4Address(base + n // args.per_address))
        held.append(await sign_on(n, ctx, ip, key_types))
    await asyncio.sleep(2)
    after = live_heap_kib(args.pid)
    print(f"idle: {len(held)} connections held; served {key_types}; live heap {before} KiB -> "
          f"{after} KiB: {(after - before) / len(held):.2f} KiB per connection", flush=True)
    await asyncio.sleep(args.linger)  # e.g. for a class histogram meanwhile
    for _, w in held:
        w.transport.abort()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=["handshakes", "idle"])
    p.add_argument("--pid", type=int, required=True, help="the node's JVM")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", help="ca.pem to trust (TLS)")
    p.add_argument("--domain", default="example.test")
    p.add_argument("--plain", action="store_true", help="TCP instead of TLS")
    p.add_argument("--rsa-only", action="store_true")
    p.add_argument("--tls12", action="store_true", help="TLS 1.2 at most (default suites)")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--per-address", type=int, default=40)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--linger", type=float, default=0, help="idle: hold this long after measuring")
    args = p.parse_args()
    if not args.plain and not args.ca:
        p.error("--ca is required for TLS")
    try:
        socket.setdefaulttimeout(args.timeout)
        asyncio.run(handshakes() if args.mode == "handshakes" else idle())
    except KeyboardInterrupt:
        pass
