"""The thresholds of the anomaly checks, each with the reason it has that value.

Plain constants, nothing else: they are what ops ask about ("why was this
flagged?", "why not that one?"), so they live in one short file that reads as
the policy of the checks. The detectors and the reader's-language wording both
test against these same values, so a flag and its words never disagree.
"""

from decimal import Decimal

# A month: long enough for a habit to show, short enough that the people involved still remember the cases.
WINDOW_DAYS = 30

# Same customer, several locations. Two genuinely bad days at two shops happen (a shopper who also
# flies); a third grant makes it a pattern worth a look, the classic "refund tour".
CROSS_LOCATION_MIN_LOCATIONS = 2
CROSS_LOCATION_MIN_GRANTS = 3

# Employee far above peers at the same location. "Far" is twice the colleagues' median: generous
# but honest colleagues differ by tens of percent, not by a factor of two. The median of one
# colleague is just that colleague, so at least two are needed; below five grants one generous
# afternoon doubles an average.
PEER_RATIO = Decimal("2")
PEER_MIN_COLLEAGUES = 2
PEER_MIN_GRANTS = 5

# Grants repeatedly at exactly the cap. The counter proposes the cap as the amount, so being at the
# cap is normal on its own: an employee is flagged only when nearly all of their grants are at the cap
# AND that is clearly more than everyone else does (if most staff grant the cap, it is no signal).
AT_CAP_MIN_GRANTS = 8
AT_CAP_MIN_SHARE = Decimal("0.90")
AT_CAP_BASELINE_RATIO = Decimal("1.5")

# A grant to a customer created minutes earlier who left no phone, email or loyalty card: nobody can
# confirm the customer exists (the invented-customer pattern). Walk-ins who leave a way to reach them
# are the counter's normal flow and are not flagged, or every walk-in would be.
NEW_CUSTOMER_MINUTES = 10

# A void long after the grant: the customer has left with the compensation, so a void then rewrites
# the books rather than correcting a slip at the counter (those happen within minutes or hours).
LATE_VOID_HOURS = 24

# Reasons are read on one screen; the figures keep the full lists.
REASON_MAX = 500
AMOUNTS_IN_REASON = 8

# Several grants by one employee to one customer within this many minutes (from the first to the
# last) that together pass what one grant may give under the employee's authority: a split, most
# likely of one failure, to get round the per-grant authority.
SPLIT_MINUTES = 15
