"""The demo station's fictional data, read from `resources/seed/demo/*.toml` into typed values.

The files are checked as they are read (keys, kinds, enum values, the placeholders each text may use), so a
mistake in one stops `gridstation demo` at once with an error naming the file and the key, instead of building a
station with odd cases or failing half-way through.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridstation.assets import RESOURCES
from gridstation.domain.enums import Channel, Role, Satisfaction, Tier

DEMO_DATA_DIR = RESOURCES / "seed" / "demo"

_Choice = TypeVar("_Choice", bound=StrEnum)


class DemoDataError(ValueError):
    """A demo data file cannot be read, is not TOML, or has a key that is missing, unexpected or wrong."""


@dataclass(frozen=True, slots=True)
class DemoAccount:
    name: str
    role: Role
    pin: str


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """The demo's accounts in the order they are printed, and the one account of each role."""

    accounts: tuple[DemoAccount, ...]
    admin: DemoAccount
    clerk: DemoAccount
    grid_chief: DemoAccount


@dataclass(frozen=True, slots=True)
class DemoStation:
    code: str
    name: str
    sub_district: str
    contact_phone: str
    timezone: str
    fallback_compound: str  # used when the seed reference data has no compounds


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of complaint. `{p}` is the compound and building, `{c}` the compound alone, `{b}` the building."""

    category: str
    text: str
    tiers: tuple[Tier, ...]
    channels: tuple[Channel, ...]
    assignees: tuple[str, ...] = ()
    disposal: str = ""  # what was done on site
    plan: str = ""  # or the plan agreed on site, when the work itself takes longer
    answer: str = ""  # what the resident was told when the case closed


@dataclass(frozen=True, slots=True)
class Residents:
    """Who brings the cases and where they live."""

    surnames: tuple[str, ...]
    given_names: tuple[str, ...]
    mobile_phone: str  # `{tail}`: four random digits
    landline_phone: str  # likewise
    buildings: tuple[str, ...]
    room: str  # `{floor}` and `{door}`
    floors: int
    doors_per_floor: int


@dataclass(frozen=True, slots=True)
class Phrases:
    """What the staff write as a case moves on; the complaint-specific wording is in the templates."""

    patrol_prefix: str
    contact_by_phone: str
    contact_on_site: str
    contact_again: str
    retriage_to_tracked: str
    retriage_to_quick: str
    arrived: str  # `{assignee}`
    disposed: str
    closing_resolved: str
    closing_planned: str
    closing_patrol_resolved: str
    closing_patrol_planned: str
    follow_up_resident: str
    follow_up_patrol_neighbours: str
    follow_up_notes: Mapping[Satisfaction, str]  # `{who}`: one of the two above
    progress_notes: tuple[str, ...]
    building_corrected: str
    conference: str


@dataclass(frozen=True, slots=True)
class DemoData:
    station: DemoStation
    staff: DemoStaff
    templates: tuple[Template, ...]
    default_assignee: str  # `{c}`: for templates that name no assignee
    residents: Residents
    phrases: Phrases


# The placeholders each formatted text may use, with a sample value to try it with. Texts read without
# placeholders are shown as they are, so they may hold no braces at all.
_COMPLAINT = {"p": "", "c": "", "b": ""}
_COMPOUND = {"c": ""}
_PHONE = {"tail": 0}
_ROOM = {"floor": 1, "door": 1}
_ASSIGNEE = {"assignee": ""}
_WHO = {"who": ""}


@cache
def load_demo_data(directory: Path = DEMO_DATA_DIR) -> DemoData:
    """Read and check every file of the demo's data; raises DemoDataError naming the file and key at fault."""
    templates = _read(directory / "templates.toml")
    result = DemoData(
        station=_station(_read(directory / "station.toml")),
        staff=_staff(_read(directory / "accounts.toml")),
        templates=_templates(templates),
        default_assignee=templates.text("default_assignee", placeholders=_COMPOUND),
        residents=_residents(_read(directory / "residents.toml")),
        phrases=_phrases(_read(directory / "phrases.toml")),
    )
    templates.finish()
    return result


class _Table:
    """One TOML table, which remembers where it is so that every error names the file and the key."""

    def __init__(self, file: Path, raw: Mapping[str, Any], *, name: str = "", where: str = "") -> None:
        self.file = file
        self.raw = raw
        self.name = name  # the table's dotted name, "" at the file's top level
        self.where = where  # how an error shows it: "[name]", or "[[name]] #3" for the third of an array
        self.used: set[str] = set()

    def error(self, key: str, problem: str) -> DemoDataError:
        return DemoDataError(", ".join(part for part in (str(self.file), self.where, key) if part) + f": {problem}")

    def _value(self, key: str, *, optional: bool) -> Any:
        self.used.add(key)
        if key not in self.raw and not optional:
            raise self.error(key, "missing")
        return self.raw.get(key)

    def text(self, key: str, *, placeholders: Mapping[str, object] | None = None, optional: bool = False) -> str:
        value = self._value(key, optional=optional)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        self._check_placeholders(key, value, placeholders)
        return value

    def texts(
        self, key: str, *, placeholders: Mapping[str, object] | None = None, optional: bool = False
    ) -> tuple[str, ...]:
        value = self._value(key, optional=optional)
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            raise self.error(key, "must be a non-empty list of strings")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{index}]", "must be a non-empty string")
            self._check_placeholders(f"{key}[{index}]", item, placeholders)
        return tuple(value)

    def count(self, key: str) -> int:
        value = self._value(key, optional=False)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(key, "must be a whole number of at least 1")
        return value

    def choice(self, key: str, kind: type[_Choice]) -> _Choice:
        return self._member(key, self._value(key, optional=False), kind)

    def choices(self, key: str, kind: type[_Choice]) -> tuple[_Choice, ...]:
        value = self._value(key, optional=False)
        if not isinstance(value, list) or not value:
            raise self.error(key, f"must be a non-empty list of: {_allowed(kind)}")
        return tuple(self._member(f"{key}[{index}]", item, kind) for index, item in enumerate(value))

    def table(self, key: str) -> _Table:
        value = self._value(key, optional=False)
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        name = self._dotted(key)
        return _Table(self.file, value, name=name, where=f"[{name}]")

    def tables(self, key: str) -> list[_Table]:
        """An array of tables, `[[key]]` in the file."""
        value = self._value(key, optional=False)
        if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
            raise self.error(key, f"must be one or more [[{key}]] tables")
        name = self._dotted(key)
        return [
            _Table(self.file, item, name=name, where=f"[[{name}]] #{number}")
            for number, item in enumerate(value, start=1)
        ]

    def finish(self) -> None:
        """Refuse keys nobody read: a misspelt optional key would otherwise be silently ignored."""
        unexpected = sorted(set(self.raw) - self.used)
        if unexpected:
            raise self.error(unexpected[0], "unexpected key")

    def _dotted(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def _member(self, key: str, value: Any, kind: type[_Choice]) -> _Choice:
        try:
            return kind(value)
        except ValueError:
            raise self.error(key, f"{value!r} is not one of: {_allowed(kind)}") from None

    def _check_placeholders(self, key: str, text: str, placeholders: Mapping[str, object] | None) -> None:
        if placeholders is None:
            if "{" in text or "}" in text:
                raise self.error(key, "takes no placeholders, so it may hold no braces")
            return
        try:
            names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as err:
            raise self.error(key, f"malformed braces ({err})") from None
        unknown = names - placeholders.keys()
        if unknown:
            allowed = ", ".join(f"{{{name}}}" for name in sorted(placeholders))
            raise self.error(key, f"unknown placeholder {{{sorted(unknown)[0]}}}; it may use {allowed}")
        try:
            text.format(**placeholders)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
            raise self.error(key, f"cannot be filled in ({err})") from None


def _allowed(kind: type[StrEnum]) -> str:
    return ", ".join(member.value for member in kind)


def _read(path: Path) -> _Table:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError as err:
        raise DemoDataError(f"{path}: cannot be read ({err.strerror or err})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise DemoDataError(f"{path}: not valid TOML ({err})") from None
    return _Table(path, raw)


def _station(table: _Table) -> DemoStation:
    timezone = table.text("timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise table.error("timezone", f"unknown time zone {timezone!r}") from None
    station = DemoStation(
        code=table.text("code"),
        name=table.text("name"),
        sub_district=table.text("sub_district"),
        contact_phone=table.text("contact_phone"),
        timezone=timezone,
        fallback_compound=table.text("fallback_compound"),
    )
    table.finish()
    return station


def _staff(table: _Table) -> DemoStaff:
    accounts: list[DemoAccount] = []
    for entry in table.tables("account"):
        account = DemoAccount(name=entry.text("name"), role=entry.choice("role", Role), pin=entry.text("pin"))
        if any(other.role is account.role for other in accounts):
            raise entry.error("role", f"a second {account.role.value} account; the demo has one of each role")
        entry.finish()
        accounts.append(account)
    table.finish()
    by_role = {account.role: account for account in accounts}
    missing = [role.value for role in Role if role not in by_role]
    if missing:
        raise table.error("account", f"no {missing[0]} account; the demo needs one of each role")
    return DemoStaff(tuple(accounts), by_role[Role.ADMIN], by_role[Role.CLERK], by_role[Role.GRID_CHIEF])


def _templates(table: _Table) -> tuple[Template, ...]:
    """The [[template]] tables; each names one of the file's [channels] groups."""
    groups_table = table.table("channels")
    groups = {name: groups_table.choices(name, Channel) for name in groups_table.raw}
    groups_table.finish()
    templates: list[Template] = []
    for entry in table.tables("template"):
        group = entry.text("channels")
        if group not in groups:
            raise entry.error("channels", f"no [channels] group {group!r}; there are: {', '.join(groups)}")
        template = Template(
            category=entry.text("category"),
            text=entry.text("text", placeholders=_COMPLAINT),
            tiers=entry.choices("tiers", Tier),
            channels=groups[group],
            assignees=entry.texts("assignees", placeholders=_COMPOUND, optional=True),
            disposal=entry.text("disposal", optional=True),
            plan=entry.text("plan", optional=True),
            answer=entry.text("answer", optional=True),
        )
        if Tier.ON_THE_SPOT in template.tiers and not template.answer:
            raise entry.error("answer", "missing; a template answered on the spot needs the answer given")
        entry.finish()
        templates.append(template)
    return tuple(templates)


def _residents(table: _Table) -> Residents:
    names, phones, homes = table.table("names"), table.table("phones"), table.table("homes")
    residents = Residents(
        surnames=names.texts("surnames"),
        given_names=names.texts("given"),
        mobile_phone=phones.text("mobile", placeholders=_PHONE),
        landline_phone=phones.text("landline", placeholders=_PHONE),
        buildings=homes.texts("buildings"),
        room=homes.text("room", placeholders=_ROOM),
        floors=homes.count("floors"),
        doors_per_floor=homes.count("doors_per_floor"),
    )
    if len(residents.buildings) < 2:
        # A corrected building is a different one.
        raise homes.error("buildings", "needs at least two buildings")
    for part in (names, phones, homes, table):
        part.finish()
    return residents


def _phrases(table: _Table) -> Phrases:
    contact, retriage, on_site = table.table("contact"), table.table("retriage"), table.table("on_site")
    closing, follow_up, notes = table.table("closing"), table.table("follow_up"), table.table("notes")
    satisfaction_notes = follow_up.table("notes")
    phrases = Phrases(
        patrol_prefix=table.text("patrol_prefix"),
        contact_by_phone=contact.text("by_phone"),
        contact_on_site=contact.text("on_site"),
        contact_again=contact.text("again"),
        retriage_to_tracked=retriage.text("to_tracked"),
        retriage_to_quick=retriage.text("to_quick"),
        arrived=on_site.text("arrived", placeholders=_ASSIGNEE),
        disposed=on_site.text("disposed"),
        closing_resolved=closing.text("resolved"),
        closing_planned=closing.text("planned"),
        closing_patrol_resolved=closing.text("patrol_resolved"),
        closing_patrol_planned=closing.text("patrol_planned"),
        follow_up_resident=follow_up.text("resident"),
        follow_up_patrol_neighbours=follow_up.text("patrol_neighbours"),
        follow_up_notes={
            satisfaction: satisfaction_notes.text(satisfaction.value, placeholders=_WHO)
            for satisfaction in Satisfaction
        },
        progress_notes=notes.texts("progress"),
        building_corrected=notes.text("building_corrected"),
        conference=notes.text("conference"),
    )
    for part in (contact, retriage, on_site, closing, satisfaction_notes, follow_up, notes, table):
        part.finish()
    return phrases
