"""Rate limits per client on what makes new rows: working copies, forks, share links
(snapshots and challenges).

A client is its network address (the last X-Forwarded-For hop behind a proxy,
IPv6 by its /64), kept only as a keyed hash. A limit counts what that client
made within the last window, so it slides and needs no counter table.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from playground.envconf import Rate
from playground.models import Scenario, Snapshot, WorkingCopy

WHAT = {
    "new": "new working copies",
    "fork": "forks",
    "share": "share links",
}


@dataclass
class RateLimited(Exception):
    message: str
    retry_after: int  # seconds


def client_id(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = forwarded.split(",")[-1].strip() or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def _rate(what: str) -> Rate | None:
    return settings.RATE_LIMITS.get(what)


def check(client: str, what: str) -> None:
    """RateLimited if `client` already made its allowance of `what` in the window."""
    rate = _rate(what)
    if rate is None:
        return
    since = timezone.now() - timedelta(seconds=rate.seconds)
    if what == "share":  # a snapshot's link or a challenge's
        made = [Snapshot.objects.filter(client=client, created__gte=since)]
        made.append(Scenario.objects.filter(client=client, created__gte=since))
    else:
        made = [WorkingCopy.objects.filter(client=client, made_as=what, created__gte=since)]
    times = _newest(made, rate.count)
    if len(times) < rate.count:
        return
    wait = int((times[-1] - since).total_seconds()) + 1
    raise RateLimited(
        f"Too many {WHAT[what]} from your address: the limit is {rate.describe()}."
        f" Try again in {_duration(wait)}. Nothing was created.",
        wait,
    )


def _newest(queries: list, count: int) -> list:
    """The `count` newest creation times among the rows of `queries`, newest first."""
    times = [
        t for q in queries for t in q.order_by("-created").values_list("created", flat=True)[:count]
    ]
    return sorted(times, reverse=True)[:count]


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
