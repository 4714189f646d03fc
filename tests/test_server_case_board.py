"""Issue 15, the case board's read API: filters (station, grid, category, tier, channel, status, colour, overdue,
text), paging with a total, and colours that agree with the desk's (`ColourScheme.colour_for`) at every instant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.sla import Colour, ColourScheme, band_starts
from gridstation.server.service import ServerService
from tests.support.clock import START, FakeClock
from tests.support.console import GREEN_NAME, Console, console_of
from tests.support.server import Api


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    console = console_of(api, server, server_clock)
    console.add_user("centre", ConsoleRole.CENTRE)
    return console


def numbers(console: Console, **filters: object) -> list[str]:
    answer = console.get("/api/v1/cases", "centre", **filters)
    assert answer.status_code == 200, answer.text
    return [item["number"] for item in answer.json()["items"]]


def test_filters_and_paging(console: Console) -> None:
    first = console.case(grid="G01", dispatched_to=GREEN_NAME)  # 香樟树 (GREEN.LIGHT)
    second = console.case(grid="G02")  # 窨井盖 (GREEN.DAMAGE)
    third = console.case(grid="G01")  # 树枝 (GREEN.TRIM)
    newest_first = [third, second, first]
    assert numbers(console) == newest_first
    assert numbers(console, grid="G01") == [third, first]
    assert numbers(console, station="ja01") == newest_first
    assert numbers(console, station="JB02") == []
    assert numbers(console, category="GREEN") == newest_first  # sub-categories match
    assert numbers(console, category="GREEN.DAMAGE") == [second]
    named = {
        i["number"]: (i["category_code"], i["category_name"])
        for i in console.get("/api/v1/cases", "centre").json()["items"]
    }
    assert named[second] == ("GREEN.DAMAGE", "绿地毁损")  # the district's name, as the desk shows it
    assert numbers(console, status="dispatched") == [first]
    assert numbers(console, tier="quick", channel="hotline_12345") == newest_first
    assert numbers(console, tier="tracked") == []
    assert numbers(console, text="窨井") == [second]
    assert numbers(console, text="梅园 树枝") == [third]
    assert numbers(console, text=first.lower()) == [first]
    page = console.get("/api/v1/cases", "centre", limit=2, offset=1).json()
    assert page["total"] == 3 and [i["number"] for i in page["items"]] == newest_first[1:]
    bad = console.get("/api/v1/cases", "centre", colour="purple")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"


def test_colour_and_overdue_follow_the_clock(console: Console) -> None:
    """A 协同快办 case has an hour from first contact to be on site: blue at 30 min, yellow 45, orange 54, red after."""
    number = console.case(grid="G01")
    expected = [
        (timedelta(0), Colour.GREEN),
        (timedelta(minutes=30) - timedelta(microseconds=1), Colour.GREEN),
        (timedelta(minutes=30), Colour.BLUE),
        (timedelta(minutes=45), Colour.YELLOW),
        (timedelta(minutes=54), Colour.ORANGE),
        (timedelta(minutes=60), Colour.ORANGE),  # the deadline itself is still orange
        (timedelta(minutes=60, microseconds=1), Colour.RED),
    ]
    for elapsed, colour in expected:
        console.clock.current = START + elapsed
        item = console.get("/api/v1/cases", "centre").json()["items"][0]
        assert item["colour"] == colour, elapsed
        for other in Colour:
            assert numbers(console, colour=str(other)) == ([number] if other is colour else []), (elapsed, other)
        assert numbers(console, overdue="true") == ([number] if colour is Colour.RED else [])
        assert numbers(console, overdue="false") == ([] if colour is Colour.RED else [number])
    detail = console.get(f"/api/v1/cases/{number}", "centre").json()
    assert detail["case"]["overdue"] is True


@given(
    start_us=st.integers(0, 10**15),
    span_us=st.integers(-10, 10**12),
    at=st.floats(-0.1, 1.2),
)
def test_the_band_starts_are_where_the_colour_changes(start_us: int, span_us: int, at: float) -> None:
    scheme = ColourScheme()
    started = START + timedelta(microseconds=start_us)
    due = started + timedelta(microseconds=span_us)
    starts = band_starts(scheme, started, due)
    now = started + timedelta(microseconds=int(at * max(span_us, 1)))
    for colour, start in starts.items():
        if now <= due:
            shown = scheme.colour_for(started, due, now)
            band = [Colour.GREEN, Colour.BLUE, Colour.YELLOW, Colour.ORANGE]
            assert (now >= start) == (band.index(shown) >= band.index(colour)), (colour, now, start)
        # The instant before a band starts is still before it.
        if start > started and start <= due:
            before = scheme.colour_for(started, due, start - timedelta(microseconds=1))
            assert before != colour
            assert scheme.colour_for(started, due, start) == colour or start == due
