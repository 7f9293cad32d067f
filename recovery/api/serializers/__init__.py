"""What the API reads and writes, one module per resource; every serializer is importable from here.

Input serializers check formats only (the counter forms' rules); whether a
grant may be made is the services' decision. `fields` holds the field types
(text, ids, money in its currency's decimals) the others build on.
"""

from recovery.api.serializers.customers import (
    EARLIEST_CUSTOMER_SINCE,
    CustomerIdentifiers,
    CustomerList,
    CustomerLookupQuery,
    CustomerSerializer,
    CustomerStatusRequest,
    CustomerUpsertRequest,
)
from recovery.api.serializers.errors import ErrorDetail, ErrorSerializer, LimitStopSerializer
from recovery.api.serializers.fields import (
    MAX_ID,
    MONEY_SCHEMA,
    AmountField,
    EmailAddressField,
    InCurrency,
    MoneyField,
    RecordIdField,
    TextField,
    api_amount,
    money,
    record_id,
)
from recovery.api.serializers.grants import (
    CustomerRef,
    FailureSerializer,
    GrantListQuery,
    GrantPage,
    GrantRequest,
    GrantSerializer,
    LocationRef,
    PlaybookRef,
    VoidRequest,
    VoucherSerializer,
)
from recovery.api.serializers.quotes import AuthoritySerializer, PlaybookCapSerializer, QuoteRequest, QuoteResponse
from recovery.api.serializers.visits import (
    MAX_VISIT_LINES,
    VisitBatchRequest,
    VisitBatchResult,
    VisitLineRequest,
    VisitLineResult,
)
from recovery.api.serializers.vouchers import (
    MAX_VOUCHER_INPUT,
    RedeemRequest,
    RedemptionRef,
    RedemptionSerializer,
    VoucherStatusSerializer,
)

__all__ = [
    "AmountField",
    "AuthoritySerializer",
    "CustomerIdentifiers",
    "CustomerList",
    "CustomerLookupQuery",
    "CustomerRef",
    "CustomerSerializer",
    "CustomerStatusRequest",
    "CustomerUpsertRequest",
    "EARLIEST_CUSTOMER_SINCE",
    "EmailAddressField",
    "ErrorDetail",
    "ErrorSerializer",
    "FailureSerializer",
    "GrantListQuery",
    "GrantPage",
    "GrantRequest",
    "GrantSerializer",
    "InCurrency",
    "LimitStopSerializer",
    "LocationRef",
    "MAX_ID",
    "MAX_VISIT_LINES",
    "MAX_VOUCHER_INPUT",
    "MONEY_SCHEMA",
    "MoneyField",
    "PlaybookCapSerializer",
    "PlaybookRef",
    "QuoteRequest",
    "QuoteResponse",
    "RecordIdField",
    "RedeemRequest",
    "RedemptionRef",
    "RedemptionSerializer",
    "TextField",
    "VisitBatchRequest",
    "VisitBatchResult",
    "VisitLineRequest",
    "VisitLineResult",
    "VoidRequest",
    "VoucherSerializer",
    "VoucherStatusSerializer",
    "api_amount",
    "money",
    "record_id",
]
