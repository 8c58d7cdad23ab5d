"""The SSDA903 Missing table (the DfE's annual return, collection year 1 April to 31 March) and
its validation report.

One row per episode of a child the authority looks after that was under way at some time in
the year: `CHILD, DOB, MISSING, MIS_START, MIS_END`, dates plain dd/mm/yyyy (UK dates), MIS_END
blank while the episode is open or when it had not ended by 31 March. An episode that began
before 1 April and ended in the year is reported again with its end.

The validation works on the rows as text, exactly as they are written to the file, so it
checks what the DfE will receive; rule codes and meanings are those of PRODUCT.md.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from apps.reports.selectors import uk_date, uk_midnight

COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]

RULES = {
    "1004": "MIS_START is missing or is not a real date",
    "1005": "MIS_END is not a real date",
    "1006": "MISSING must be M (missing) or A (away from placement without authorisation)",
    "567": "MIS_END is before MIS_START",
    "570": "MIS_START is after the end of the collection year",
    "571": "MIS_END is before the start or after the end of the collection year",
    "574": "This episode starts while the child's previous episode is still open, or overlaps it",
    "575": "The placement this episode started in has ended, but MIS_END is blank",
    "577": "The child's period of care has ended, but this episode has no MIS_END or ends after it",
    "578": "MIS_START is before the child's first period of care began",
    "586": "MIS_START is on or before the child's date of birth",
    "581": "MIS_START is not inside a period of care (a placement)",
}


@dataclass(frozen=True)
class Failure:
    row: int  # 1-based data row (the header is row 0)
    child: str
    code: str

    @property
    def message(self) -> str:
        return RULES[self.code]


def collection_year(first_year: int) -> tuple[date, date]:
    return date(first_year, 4, 1), date(first_year + 1, 3, 31)


def ddmmyyyy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def parse(text: str) -> date | None:
    """A dd/mm/yyyy date, or None when the text is not one."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date() if text else None
    except ValueError:
        return None


def episode_row(
    *, child_id: str, born: date, kind: str, started: datetime, ended: datetime | None, year: int
) -> dict:
    """One row of the table for the collection year starting 1 April `year`."""
    _first, last = collection_year(year)
    end_day = uk_date(ended) if ended is not None else None
    return {
        "CHILD": child_id,
        "DOB": ddmmyyyy(born),
        "MISSING": kind,
        "MIS_START": ddmmyyyy(uk_date(started)),
        "MIS_END": ddmmyyyy(end_day) if end_day and end_day <= last else "",
    }


def validate(
    rows: list[dict], *, year: int, periods_of_care: dict[str, list[tuple[date, date | None]]]
) -> list[Failure]:
    """Every failing (row, rule) of the table, in row order then rule order.

    `periods_of_care` maps CHILD to the child's placements (start, end or None while current).
    """
    first, last = collection_year(year)
    failures: list[Failure] = []
    parsed = []
    for number, row in enumerate(rows, start=1):
        child = row.get("CHILD", "")
        start = parse(row.get("MIS_START", ""))
        end_text = row.get("MIS_END", "")
        end = parse(end_text)
        born = parse(row.get("DOB", ""))

        def fail(code, number=number, child=child):
            failures.append(Failure(row=number, child=child, code=code))

        if start is None:
            fail("1004")
        if end_text and end is None:
            fail("1005")
        if row.get("MISSING") not in ("M", "A"):
            fail("1006")
        if start and end and end < start:
            fail("567")
        if start and start > last:
            fail("570")
        if end and not first <= end <= last:
            fail("571")
        if start and born and start <= born:
            fail("586")  # the DfE's validator counts the same day as an error
        placements = periods_of_care.get(child, [])
        if start:
            placement = _containing(placements, start)
            care = _containing(_periods(placements), start)
            if placement is None:
                earliest = min((begin for begin, _f in placements), default=None)
                fail("578" if earliest is not None and start < earliest else "581")
            # A blank MIS_END is right for an episode still open on 31 March: only an ending
            # inside the year (or before it) calls for one.
            ended = placement[1] if placement is not None else None
            if ended is not None and ended <= last and not end_text:
                fail("575")
            care_ended = care[1] if care is not None else None
            if care_ended is not None and (
                (not end_text and care_ended <= last) or (end and end > care_ended)
            ):
                fail("577")
        parsed.append((number, child, start, end, bool(end_text)))

    # 574: a child's episodes, in order of start, must not overlap, and none may start while
    # an earlier one is open (blank end).
    by_child = defaultdict(list)
    for number, child, start, end, has_end in parsed:
        if start is not None:
            by_child[child].append((start, number, end, has_end))
    for episodes in by_child.values():
        episodes.sort()
        for (_s, _n, previous_end, previous_has_end), (start, number, _e, _h) in pairwise(episodes):
            if not previous_has_end or (previous_end is not None and start < previous_end):
                failures.append(Failure(row=number, child=rows[number - 1]["CHILD"], code="574"))
    order = list(RULES)
    return sorted(failures, key=lambda f: (f.row, order.index(f.code)))


def _containing(spans, day: date):
    """The (start, end or None) span that holds `day`, if any."""
    return next(
        (
            (begin, finish)
            for begin, finish in sorted(spans)
            if begin <= day and (finish is None or day <= finish)
        ),
        None,
    )


def _periods(placements) -> list[tuple[date, date | None]]:
    """Periods of care: placements joined where one starts on the day the last ended or the
    day after (a move between homes), so a move does not end the child's care."""
    periods: list[list] = []
    for begin, finish in sorted(placements):
        last = periods[-1] if periods else None
        if last is not None and (last[1] is None or begin <= last[1] + timedelta(days=1)):
            if last[1] is not None and (finish is None or finish > last[1]):
                last[1] = finish
            continue
        periods.append([begin, finish])
    return [(begin, finish) for begin, finish in periods]


@dataclass
class Ssda903:
    year: int
    rows: list[dict]
    failures: list[Failure]
    child_pks: list[int]

    @property
    def ready(self) -> bool:
        """A return with any validation error is not ready to send."""
        return not self.failures

    @property
    def first_day(self) -> date:
        return collection_year(self.year)[0]

    @property
    def last_day(self) -> date:
        return collection_year(self.year)[1]


def ssda903_missing(user, year: int) -> Ssda903:
    """The table and its validation for the children `user`'s authority places. Two queries:
    the episodes (with the child), and the children's placements (their periods of care).
    Caller has checked that the user may export it."""
    from apps.children.access import placements_visible_to
    from apps.episodes.access import episodes_visible_to

    first, last = collection_year(year)
    episodes = (
        episodes_visible_to(user)
        .filter(child__placing_authority_id=user.organisation_id)
        .filter(last_seen_at__lt=uk_midnight(last + timedelta(days=1)))
        .exclude(returned_at__lt=uk_midnight(first))
        .order_by("child__child_id", "last_seen_at", "pk")
        .values_list(
            "child_id",
            "child__child_id",
            "child__date_of_birth",
            "kind",
            "last_seen_at",
            "returned_at",
        )
    )
    rows, child_pks = [], []
    for child_pk, child_id, born, kind, started, ended in episodes:
        rows.append(
            episode_row(
                child_id=child_id,
                born=born,
                kind=kind,
                started=started,
                ended=ended,
                year=year,
            )
        )
        child_pks.append(child_pk)
    periods: dict[str, list] = defaultdict(list)
    if child_pks:
        for child_id, start, end in (
            placements_visible_to(user)
            .filter(child_id__in=set(child_pks))
            .values_list("child__child_id", "start_date", "end_date")
        ):
            periods[child_id].append((start, end))
    return Ssda903(
        year=year,
        rows=rows,
        failures=validate(rows, year=year, periods_of_care=periods),
        child_pks=sorted(set(child_pks)),
    )
