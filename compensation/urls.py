"""The ops section: tune the policy safely (draft, publish, versions) and simulate a draft.

Ops pages that read the case data (replay over past failures, rule flags,
budgets spent) live in `recovery.views.ops`, because `compensation` never
imports `recovery`; they share the /ops/ prefix.
"""

from django.urls import path

from compensation.views import currencies, policy, tuning

urlpatterns = [
    path("", policy.ops_home, name="ops_home"),
    path("draft/<slug:kind>/add/", policy.ops_draft_add, name="ops_draft_add"),
    path("draft/<slug:kind>/<int:pk>/", policy.ops_draft_edit, name="ops_draft_edit"),
    path("currencies/<str:currency>/", currencies.ops_currency_amounts, name="ops_currency_amounts"),
    path("publish/", policy.ops_publish, name="ops_publish"),
    path("versions/", policy.ops_versions, name="ops_versions"),
    path("versions/<int:number>/", policy.ops_version, name="ops_version"),
    path("versions/<int:number>/rollback/", policy.ops_version_rollback, name="ops_version_rollback"),
    path("simulator/", tuning.ops_simulator, name="ops_simulator"),
]
