"""Benchmark: validating the largest session body the Sessions API accepts.

The body is as large as the limits allow (domain/limits.py): just under MAX_BODY_BYTES, with
the most collaborators (as e-mail addresses) and the most urls, half of them international
domain names (IDNA encoding is the slowest check per url). It is validated the way the server
does it (SessionCreate from the JSON text); the baseline in the same run is json.loads of
the same bytes. Also timed: refusing the 40,000-collaborator body that once stalled the server
for 12 s (quadratic de-duplication), now refused by its size before it is read, and by the
list bound if it were not. Target: the largest accepted body validates in under 50 ms.

    python bench/bench_validation.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from pydantic import ValidationError

from deepworkzone.domain.limits import MAX_BODY_BYTES, MAX_COLLABORATORS, MAX_URLS
from deepworkzone.domain.models import SessionCreate

TARGET_MS = 50.0


def largest_body() -> bytes:
    body = {
        "name": "N" * 200,
        "type": "drop-in",
        "duration": 1440,
        "schedule": "2031-01-06",
        "time": "9:00 AM",
        "timezone": "America/Argentina/ComodRivadavia",
        "is_public": True,
        "collaborator": [f"person-{i:04d}@example-company.test" for i in range(MAX_COLLABORATORS)],
        "website_blocker_enabled": True,
        "website_blocker": {
            "mode": "preset",
            "category": ["social-media", "gaming", "news", "video", "shopping"],
            "urls": [],
        },
        "is_recurring": 1,
        "occurrence": "weekly",
        "recurring_days": [0, 1, 2, 3, 4, 5, 6, 7],
        "recurring_ends": "2032-01-06",
    }
    base = len(json.dumps(body).encode())
    per_url = (MAX_BODY_BYTES - base) // MAX_URLS - 4  # quotes, comma, space
    urls = []
    for i in range(MAX_URLS):
        host = f"bücher-{i}.straße.example" if i % 2 else f"www.site-{i}.example.com"
        url = f"https://{host}/"
        urls.append(url + "p" * max(0, per_url - len(url.encode())))
    body["website_blocker"]["urls"] = urls  # type: ignore[index]
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert len(raw) <= MAX_BODY_BYTES, len(raw)
    return raw


def timings(run: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out


def show(label: str, values: list[float]) -> None:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    print(f"{label:<44} median {statistics.median(values):8.3f} ms   p95 {p95:8.3f} ms")


def refuse(raw: bytes) -> None:
    try:
        SessionCreate.model_validate_json(raw)
    except ValidationError:
        return
    raise AssertionError("the oversized list was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    raw = largest_body()
    session = SessionCreate.model_validate_json(raw)  # accepted, and warms the validators
    assert len(session.website_blocker.urls) == MAX_URLS
    print(f"largest accepted body: {len(raw)} bytes (limit {MAX_BODY_BYTES}), ", end="")
    print(f"{len(session.collaborator)} collaborators, {MAX_URLS} urls")
    baseline = timings(lambda: json.loads(raw), args.repeats)
    validate = timings(lambda: SessionCreate.model_validate_json(raw), args.repeats)
    show("baseline: json.loads of the body", baseline)
    show("SessionCreate validation of the body", validate)
    ratio = statistics.median(validate) / statistics.median(baseline)
    print(f"ratio validation / json.loads: {ratio:.1f}x")
    stalled = json.dumps(
        {
            "name": "x",
            "duration": 5,
            "schedule": "2031-01-06",
            "time": "9:00",
            "collaborator": list(range(1, 40_001)),
        }
    ).encode()
    show(
        f"refusing 40,000 collaborators ({len(stalled) // 1024} KB)",
        timings(lambda: refuse(stalled), 10),
    )
    median = statistics.median(validate)
    verdict = "met" if median < TARGET_MS else "NOT met"
    print(f"target: largest body validated in < {TARGET_MS:.0f} ms (median): {verdict}")


if __name__ == "__main__":
    main()
