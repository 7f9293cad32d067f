"""A status programme for the tests: a "Flight delay" playbook paying 50 / 100 / 125 by status (Silver, Gold,
Platinum), published, and a customer of three months."""

from datetime import date
from decimal import Decimal

from compensation.models import Playbook, ProgrammeTier
from tests import factories

STATUS_MULTIPLIERS = (("Silver", "1.00"), ("Gold", "2.00"), ("Platinum", "2.50"))
EXPECTED_CAPS = {
    "": Decimal("50.00"),
    "Silver": Decimal("50.00"),
    "Gold": Decimal("100.00"),
    "Platinum": Decimal("125.00"),
}


def flight_delay_programme(actor=None):
    """The draft gets the playbook (nothing bought: a fixed 50) and the status tiers; then it is published."""
    playbook = Playbook.objects.create(
        code="flight-delay",
        name="Flight delay",
        kind=Playbook.Kind.ON_THE_SPOT,
        offer="Cash for the delay, now.",
        apology_script="I'm sorry your flight is late.",
        percent=Decimal("0"),
        floor=Decimal("0"),
        ceiling=Decimal("50.00"),
        nothing_bought=Playbook.NothingBought.FIXED,
        base_amount=Decimal("50.00"),
        sort_order=1,
    )
    for name, multiplier in STATUS_MULTIPLIERS:
        ProgrammeTier.objects.create(name=name, source="status", status=name, multiplier=Decimal(multiplier))
    version = factories.publish("Flight delay pays by status", actor=actor)
    return playbook, version


def three_months_before(today: date) -> date:
    """A day whose whole months to `today` are exactly 3."""
    year, month = today.year, today.month - 3
    if month <= 0:
        month, year = month + 12, year - 1
    return date(year, month, min(today.day, 28))
