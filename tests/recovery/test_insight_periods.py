"""The pure parts of the insight pages and the timeline: no database."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from recovery.insights.periods import default_window, local_date, local_midnight, month_days, weeks_touching
from recovery.insights.svg_bars import BAR_AREA, LABEL_CHARACTERS, LABEL_WIDTH, ROW_HEIGHT, svg_bar_chart
from recovery.timeline.cursor import cursor_parse, cursor_text

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_month_days_gives_the_first_and_last_day_whatever_day_is_passed():
    assert month_days(dt.date(2026, 2, 17)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert month_days(dt.date(2028, 2, 1)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert month_days(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_weeks_touching_a_month_start_on_the_monday_before_its_first_day():
    start = local_midnight(dt.date(2026, 5, 1), BERLIN)  # a Friday
    end = local_midnight(dt.date(2026, 6, 1), BERLIN)
    weeks = weeks_touching(start, end, BERLIN)
    assert weeks[0] == dt.date(2026, 4, 27) and weeks[-1] == dt.date(2026, 5, 25)
    assert len(weeks) == 5 and all(week.weekday() == 0 for week in weeks)


def test_weeks_are_counted_in_local_dates_not_utc():
    # Monday 00:30 in Berlin is still Sunday in UTC: the window touches that Monday's week only.
    start = dt.datetime(2026, 3, 2, 0, 30, tzinfo=BERLIN)
    assert weeks_touching(start, start + dt.timedelta(hours=1), BERLIN) == [dt.date(2026, 3, 2)]


def test_default_window_runs_from_a_monday_weeks_ago_to_today():
    assert default_window(dt.date(2026, 12, 5), weeks=2) == (dt.date(2026, 11, 23), dt.date(2026, 12, 5))


def test_local_date_reads_an_aware_datetime_in_the_zone_and_passes_a_date_through():
    assert local_date(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), BERLIN) == dt.date(2026, 3, 2)
    assert local_date(dt.date(2026, 3, 2), BERLIN) == dt.date(2026, 3, 2)


def test_svg_bars_scale_to_the_largest_value_and_keep_small_ones_visible():
    chart = svg_bar_chart([("Coffee", Decimal("10.00"), "10.00"), ("Tea", Decimal("0.01"), "0.01"), ("x" * 40, 0, "0")])
    widths = [bar.width for bar in chart.bars]
    assert widths == [BAR_AREA, 1, 0]
    assert chart.height == 3 * ROW_HEIGHT and chart.bar_x == LABEL_WIDTH
    assert len(chart.bars[2].label) == LABEL_CHARACTERS and chart.bars[2].title.startswith("x" * 40)


def test_an_empty_svg_chart_keeps_one_row_of_height():
    assert svg_bar_chart([]).height == ROW_HEIGHT


def test_a_cursor_reads_back_what_was_written_and_damage_means_from_the_newest():
    at = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)
    assert cursor_parse(cursor_text(at, 2, 41)) == (at, 2, 41)
    assert cursor_parse("yesterday_2_41") is None
    assert cursor_parse(f"{at.isoformat()}_2_x") is None
