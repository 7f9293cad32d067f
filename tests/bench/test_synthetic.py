"""The synthetic data generator (bench/synthetic/): its copy of the request fingerprint must not drift."""

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bench.synthetic.cases import CASES, request_fingerprint
from recovery.models import Customer, Location
from recovery.services import GrantRequest

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@given(
    customer_id=st.integers(min_value=1, max_value=10**9),
    location_id=st.integers(min_value=1, max_value=10**6),
    category=st.sampled_from([case[0] for case in CASES]),
    purchase_value=amounts,
    note=st.text(max_size=40),
    playbook_id=st.integers(min_value=1, max_value=10**6),
    amount=st.none() | amounts,
)
def test_synthetic_fingerprint_equals_the_grant_requests(
    customer_id, location_id, category, purchase_value, note, playbook_id, amount
):
    """A generated grant replays like a counter's: same request, same fingerprint (a drift fails here)."""
    request = GrantRequest(
        customer=Customer(pk=customer_id),
        location=Location(pk=location_id),
        category=category,
        purchase_value=purchase_value,
        note=note,
        playbook_id=playbook_id,
        amount=amount,
        token=uuid.uuid4(),
    )
    assert (
        request_fingerprint(customer_id, location_id, category, purchase_value, note, playbook_id, amount)
        == request.fingerprint()
    )
