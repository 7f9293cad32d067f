"""How long something has waited, in whole minutes: what a manager's "needs you now" page sorts and shows."""

from __future__ import annotations

from datetime import datetime


def minutes_waited(since: datetime, now: datetime) -> int:
    """Whole minutes from `since` to `now`, rounded down (a request made 59 s ago has waited 0 min).

    Never negative: a web server whose clock is a little behind the database's
    would otherwise say a request has waited "-1 min".
    """
    return max(0, int((now - since).total_seconds() // 60))
