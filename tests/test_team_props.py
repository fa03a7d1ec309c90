"""The privacy floor as a property: no output ever names a group under it, or lets one be computed.

Rosters of random sizes and groups, with recurring meetings of random
membership, are summed by the real `build_team_report` and rendered by the
real terminal, Markdown, HTML and JSON renderers.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from guardian.core.model import Window
from guardian.domain.metrics import DayMetrics, MetricParams
from guardian.domain.team import MIN_FLOOR, PersonFigures, SeriesSeen, TooFewPeople, build_team_report
from guardian.render.team import team_html, team_json, team_markdown, team_table
from guardian.usecases.team import TeamRun

TZ = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 30)
GROUP_NAMES = [f"grp{c}{c}{c}" for c in "abcdefg"]  # distinctive, so a mention is unmistakable
SERIES = [f"series-{i}" for i in range(6)]


@st.composite
def rosters(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    floor = draw(st.sampled_from([MIN_FLOOR, MIN_FLOOR, 6, 8]))
    people = []
    for i in range(size):
        group = draw(st.one_of(st.none(), st.sampled_from(GROUP_NAMES)))
        email = f"person{i}@acme.example"
        series = {}
        for uid in draw(st.sets(st.sampled_from(SERIES), max_size=4)):
            organizer = draw(
                st.sampled_from([f"person{draw(st.integers(0, size - 1))}@acme.example", "x@out.example"])
            )
            series[uid] = SeriesSeen(uid, f"Title of {uid}", organizer, frozenset({email, organizer}), 1.0)
        day = DayMetrics(
            DAY, workday=True, working_hours=8, focus_hours=draw(st.sampled_from([0, 2, 4])), meetings=1
        )
        people.append(PersonFigures(email, group, [day], series))
    return people, floor


def _outputs(run: TeamRun) -> list[str]:
    buffer = io.StringIO()
    team_table(run, Console(file=buffer, width=200, highlight=False))
    return [buffer.getvalue(), team_markdown(run), team_html(run), team_json(run)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters())
def test_no_output_ever_names_a_group_under_the_floor(roster):
    people, floor = roster
    try:
        report = build_team_report(people, MetricParams(), first=DAY, last=DAY, floor=floor)
    except TooFewPeople:
        assert len(people) < floor
        return
    window = Window(datetime(2026, 11, 30, tzinfo=TZ), datetime(2026, 12, 1, tzinfo=TZ))
    run = TeamRun(report, TZ, window.start, window, len(people))
    sizes: dict[str, int] = {}
    for person in people:
        if person.group:
            sizes[person.group] = sizes.get(person.group, 0) + 1
    small = {name for name, n in sizes.items() if n < floor}
    for text in _outputs(run):
        for name in small:
            assert name not in text, f"group {name} ({sizes[name]} people) appears under a floor of {floor}"
        for person in people:
            assert person.email not in text
    data = json.loads(_outputs(run)[-1])
    shown = [g["name"] for g in data["groups"]]
    assert all(sizes[name] >= floor for name in shown)
    # nothing hidden can be computed as the roster minus what is shown
    rest = len(people) - sum(sizes[name] for name in shown)
    assert rest == 0 or rest >= floor
    for entry in [data["team"], *data["groups"]]:
        assert entry["people"] >= floor
        assert all(s["people"] >= floor for s in entry["series"])


@given(
    st.dictionaries(st.sampled_from(GROUP_NAMES), st.integers(1, 30)), st.integers(0, 30), st.integers(5, 9)
)
def test_shown_parts_never_leave_a_small_remainder(counts, outside, floor):
    from guardian.domain.team import shown

    total = sum(counts.values()) + outside
    keep = shown(counts, total, floor)
    assert all(counts[name] >= floor for name in keep)
    rest = total - sum(counts[name] for name in keep)
    assert not keep or rest == 0 or rest >= floor  # with nothing shown, the rest is the total itself
