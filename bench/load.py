"""Load on a running server, by hand: many clients, each editing its own working copy.

    .venv/bin/python bench/load.py [--url http://127.0.0.1:8000] [--clients 20]
                                   [--seconds 60] [--max-actions 500] [--think 0.5]

Start the server first (`make serve`, with RATE_LIMIT_NEW=off so one address
may open this many copies). Each client is a thread with its own keep-alive
connection (http.client) and cookies: it opens a blank copy, imports
examples/03-cross-account-decrypt.json, then repeats one action after
another, as the page does it:

  save   add or edit one of its 8 attempts (attempts/save/), with a new
         plaintext each time, then the refreshes the page makes after a
         change (canvas/, attempts/, history/)
  run    run that attempt, traced (attempts/run/)
  move   move a node (nodes/move/), then the refreshes (attempts/, history/)
  page   every fifth round, the whole workspace page

each write naming the revision the previous one produced, with `--think`
seconds between actions (a person reading the result). At the end every
client exports its copy and checks that each of its attempts holds the
plaintext of the last save the server acknowledged, and the node the last
position it was moved to: anything else is a lost edit. Prints p50/p95/p99/max of
every request and of each kind, the errors (any status but the expected one,
or no answer) and the lost edits; exits 1 if there were errors or lost edits.

Bounded: at most --seconds (capped at 600) and --max-actions per client; it
only ever talks to a loopback address.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import re
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "03-cross-account-decrypt.json"
MAX_SECONDS = 600
ATTEMPTS = 8  # each client edits this many attempts of its own, in turn


def loopback(host: str) -> bool:
    try:
        return all(
            ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None)
        )
    except (OSError, ValueError):
        return False


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    saved: int = 0
    lost: int = 0
    clients_done: int = 0

    def time(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Failed(Exception):
    pass


class Browser:
    """One client: a keep-alive connection, its cookies, the revision its page shows."""

    def __init__(self, host: str, port: int, tally: Tally) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.tally = tally
        self.revision = ""
        self.base = ""

    def request(self, kind: str, method: str, path: str, data=None, *, expect=200, htmx=True):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = dict(data or {})
            if self.revision:
                data["revision"] = self.revision
            body = urlencode(data)
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.tally.error(f"{method} {path}: {type(exc).__name__}: {exc}")
            raise Failed() from exc
        self.tally.time(kind, time.perf_counter() - start)
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status != expect:
            self.tally.error(f"{method} {path}: HTTP {response.status} (expected {expect})")
            raise Failed()
        if method == "POST" and response.getheader("X-Revision"):
            self.revision = response.getheader("X-Revision")
        return response, payload

    def refresh(self, *parts: str) -> None:
        for part in parts:
            self.request(part, "GET", self.base + part + "/")


def client(n: int, host: str, port: int, args, deadline: float, tally: Tally) -> None:
    b = Browser(host, port, tally)
    try:
        b.request("home", "GET", "/", htmx=False)
        response, _ = b.request("new", "POST", "/new/", expect=302, htmx=False)
        b.base = urlsplit(response.getheader("Location")).path
        b.request("page", "GET", b.base, htmx=False)
        text = EXAMPLE.read_text(encoding="utf-8")
        b.request("import", "POST", b.base + "import/", {"text": text}, expect=204)
        _, page = b.request("page", "GET", b.base, htmx=False)
        b.revision = re.search(rb'data-revision="(\d+)"', page).group(1).decode()
        doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        first = doc["attempts"][0]
        last_text: dict[str, str] = {}  # attempt id -> the plaintext the server saved last
        last_move = None
        for i in range(args.max_actions):
            if time.monotonic() >= deadline:
                break
            step = i % 3
            if step == 0:
                attempt = f"load-{n}-{(i // 3) % ATTEMPTS}"
                plaintext = f"client {n} round {i}"
                fields = {
                    "attempt_id": attempt,
                    "editing": attempt if attempt in last_text else "",
                    "principal": first["principal"],
                    "action": "kms:Encrypt",
                    "resource": first["resource"],
                    "plaintext": plaintext,
                }
                b.request("save", "POST", b.base + "attempts/save/", fields)
                last_text[attempt] = plaintext
                b.refresh("canvas", "attempts", "history")
            elif step == 1:
                b.request("run", "POST", b.base + "attempts/run/", {"attempt": attempt})
            else:
                move = {"ref": "111122223333", "x": 40 + i % 200, "y": 40 + (i * 7) % 200}
                b.request("move", "POST", b.base + "nodes/move/", move)
                last_move = {"x": move["x"], "y": move["y"]}
                b.refresh("attempts", "history")
            if i % 15 == 14:
                b.request("page", "GET", b.base + f"?node={quote(first['principal'])}")
            time.sleep(args.think)
        _, body = b.request("export", "GET", b.base + "export/", htmx=False)
        final = json.loads(body)
        have = {a["id"]: a.get("plaintext") for a in final.get("attempts") or []}
        lost = sum(1 for a, text in last_text.items() if have.get(a) != text)
        if last_move and (final.get("layout") or {}).get("111122223333") != last_move:
            lost += 1
        with tally.lock:
            tally.saved += len(last_text) + (1 if last_move else 0)
            tally.lost += lost
    except Failed:
        pass
    finally:
        b.conn.close()
        with tally.lock:
            tally.clients_done += 1


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-actions", type=int, default=500, help="per client")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between actions")
    args = parser.parse_args()
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname or not loopback(url.hostname):
        parser.error("--url must be http:// on a loopback address (127.0.0.1, ::1, localhost)")
    seconds = min(args.seconds, MAX_SECONDS)
    tally = Tally()
    start = time.monotonic()
    deadline = start + seconds
    threads = [
        threading.Thread(
            target=client, args=(n, url.hostname, url.port or 80, args, deadline, tally)
        )
        for n in range(args.clients)
    ]
    for t in threads:
        t.start()
        time.sleep(0.02)  # the clients arrive over a moment, not in one instant
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - start
    every = [t for times in tally.times.values() for t in times]
    print(
        f"{args.clients} clients, {elapsed:.0f} s, think {args.think} s:"
        f" {len(every)} requests ({len(every) / elapsed:.0f}/s)"
    )
    if every:
        print(f"{'request':<10}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        rows = [("all", every), *sorted(tally.times.items())]
        for kind, times in rows:
            figures = [pct(times, p) * 1000 for p in (50, 95, 99, 100)]
            print(f"{kind:<10}{len(times):>7}" + "".join(f"{f:>9.0f}" for f in figures))
        print(f"mean {statistics.fmean(every) * 1000:.0f} ms")
    print(f"errors: {len(tally.errors)}; edits checked: {tally.saved}; lost edits: {tally.lost}")
    for line in tally.errors[:10]:
        print("  " + line)
    return 1 if tally.errors or tally.lost or tally.clients_done < args.clients else 0


if __name__ == "__main__":
    sys.exit(main())
