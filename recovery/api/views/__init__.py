"""The integration API's endpoints, one module per resource. Thin: check the rule, validate, call one
service or selector, answer.

Every view authenticates with the integration's bearer token (never a session),
and every decision goes through the same `rules` permissions as the pages.
`base` holds what they share (the permission per method, the base view, validation).
"""

from recovery.api.views.customers import CustomerCollection, CustomerDetail
from recovery.api.views.grants import GrantCollection, GrantDetail, GrantVoid
from recovery.api.views.quotes import QuoteView
from recovery.api.views.visits import VisitCollection
from recovery.api.views.vouchers import VoucherDetail, VoucherRedeem

__all__ = [
    "CustomerCollection",
    "CustomerDetail",
    "GrantCollection",
    "GrantDetail",
    "GrantVoid",
    "QuoteView",
    "VisitCollection",
    "VoucherDetail",
    "VoucherRedeem",
]
