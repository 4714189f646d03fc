"""What `/metrics` tells a Prometheus scraper (docs/deploy.md, 监控): requests, latency, sync traffic, each station's
queue of unsent events and last sync, overdue cases.

Labels carry route templates (`/api/v1/cases/{number}`, never a case number), methods, statuses and station codes:
no person's name, phone, address or words. The request counters live in this process (several worker processes
share them through PROMETHEUS_MULTIPROC_DIR, prometheus-client's multiprocess mode); the per-station gauges are read
from the database when scraped, so every worker answers the same.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client import Counter as PromCounter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gridstation.protocol import PushResponse
from gridstation.server.station_health import StationHealthReads

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# From a quick page read to a long push or a busy SQLite writer's wait (up to a minute, server/db.py).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
UNMATCHED_ROUTE = "<unmatched>"


class ServerMetrics:
    """The metrics of one app: its own registry, so that apps made side by side (tests) do not share counters."""

    def __init__(self, service: StationHealthReads) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = PromCounter(
            "gridstation_http_requests",
            "HTTP requests answered, by route template, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "gridstation_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            ("route", "method"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.pushed = PromCounter(
            "gridstation_sync_pushed_events",
            "Events stations pushed (in), by station and outcome",
            ("station", "outcome"),
            registry=self.registry,
        )
        self.pulled = PromCounter(
            "gridstation_sync_pulled_events",
            "Events stations pulled (out), by station",
            ("station",),
            registry=self.registry,
        )
        self.stations = StationCollector(service)
        self.registry.register(self.stations)

    def counted_push(self, station: str, answer: PushResponse) -> None:
        for outcome, count in Counter(result.outcome for result in answer.results).items():
            self.pushed.labels(station, outcome).inc(count)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def exposition(self) -> bytes:
        """The text a scraper reads; with several worker processes, their counters added up."""
        if os.environ.get(MULTIPROCESS_ENV):
            from prometheus_client import multiprocess

            combined = CollectorRegistry()
            multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            combined.register(self.stations)
            return generate_latest(combined)
        return generate_latest(self.registry)


class StationCollector(Collector):
    """Per-station gauges, read from the database at each scrape."""

    def __init__(self, service: StationHealthReads) -> None:
        self.service = service

    def describe(self) -> Iterator[Metric]:
        return iter(())  # nothing to check at registration: the database is not read until a scrape

    def collect(self) -> Iterator[Metric]:
        unsent = GaugeMetricFamily(
            "gridstation_station_unsent_events",
            "Events the station reported waiting to be sent, at its last push or pull",
            labels=["station"],
        )
        last_sync = GaugeMetricFamily(
            "gridstation_station_last_sync_timestamp_seconds",
            "When the station last pushed or pulled (Unix time)",
            labels=["station"],
        )
        overdue = GaugeMetricFamily(
            "gridstation_cases_overdue", "Open cases past their deadline, by station", labels=["station"]
        )
        for station in self.service.station_health():
            overdue.add_metric([station.code], station.overdue_cases)
            if station.state == "revoked":
                continue  # its queue and its syncing are of no concern any more
            if station.unsent is not None:
                unsent.add_metric([station.code], station.unsent)
            if station.last_sync_at is not None:
                last_sync.add_metric([station.code], station.last_sync_at.timestamp())
        yield unsent
        yield last_sync
        yield overdue
