"""`/api/v1/`: the integration API, its OpenAPI schema and its documentation page.

No page here needs a login: the endpoints authenticate with bearer tokens (and
`rules` decide), the schema and the docs are public descriptions without data.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from recovery.api import views


def without_login(view_class, **initkwargs):
    """A DRF view outside LoginRequiredMiddleware (token auth or none; CSRF does not apply to tokens)."""
    return login_not_required(view_class.as_view(**initkwargs))


DESCRIPTION_ONLY = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

urlpatterns = [
    path("customers/", without_login(views.CustomerCollection), name="api_customers"),
    path("customers/<int:customer_id>/", without_login(views.CustomerDetail), name="api_customer"),
    path("quotes/", without_login(views.QuoteView), name="api_quotes"),
    path("grants/", without_login(views.GrantCollection), name="api_grants"),
    path("grants/<int:grant_id>/", without_login(views.GrantDetail), name="api_grant"),
    path("grants/<int:grant_id>/void/", without_login(views.GrantVoid), name="api_grant_void"),
    path("visits/", without_login(views.VisitCollection), name="api_visits"),
    path("vouchers/redeem/", without_login(views.VoucherRedeem), name="api_voucher_redeem"),
    path("vouchers/<str:code>/", without_login(views.VoucherDetail), name="api_voucher"),
    path("schema/", without_login(SpectacularAPIView, **DESCRIPTION_ONLY), name="api_schema"),
    path(
        "docs/",
        without_login(
            SpectacularSwaggerSplitView,
            url_name="api_schema",
            template_name="api/swagger_ui.html",
            **DESCRIPTION_ONLY,
        ),
        name="api_docs",
    ),
]
