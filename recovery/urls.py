"""The case app's pages: the counter, vouchers, escalations, audit, anomalies, insights and the ops pages over the case data."""

from django.urls import path

from recovery.views import (
    anomalies,
    audit,
    counter,
    escalations,
    exports,
    granted,
    insights,
    integrations,
    ops,
    resolve,
    vouchers,
)

urlpatterns = [
    path("", counter.home, name="home"),
    path("counter/", counter.counter, name="counter"),
    path("counter/location/", counter.counter_location_choose, name="counter_location_choose"),
    path("counter/customers/add/", counter.customer_add, name="customer_add"),
    path("counter/customers/<int:customer_id>/resolve/", resolve.counter_resolve, name="counter_resolve"),
    path("counter/customers/<int:customer_id>/quotes/", resolve.counter_quotes, name="counter_quotes"),
    path("counter/grants/<int:grant_id>/", granted.counter_granted, name="counter_granted"),
    path("counter/grants/<int:grant_id>/slip/", granted.grant_slip, name="grant_slip"),
    path("counter/my-grants/", counter.my_grants, name="my_grants"),
    path("counter/customers/<int:customer_id>/escalate/", escalations.counter_escalate, name="counter_escalate"),
    path("counter/escalations/<int:escalation_id>/", escalations.escalation_status, name="escalation_status"),
    path("counter/flags/", counter.rule_flag_raise, name="rule_flag_raise"),
    path("counter/vouchers/", vouchers.voucher_redeem, name="voucher_redeem"),
    # The customer's voucher page: no login, the signed token is the key.
    path("v/<str:token>/", vouchers.voucher_public, name="voucher_public"),
    path("escalations/", escalations.escalations, name="escalations"),
    path("escalations/<int:escalation_id>/decide/", escalations.escalation_decide, name="escalation_decide"),
    path("budgets/", ops.budgets, name="budgets"),
    path("ops/replay/", ops.ops_replay, name="ops_replay"),
    path("ops/flags/", ops.ops_flags, name="ops_flags"),
    path("ops/flags/<int:flag_id>/handle/", ops.ops_flag_handle, name="ops_flag_handle"),
    path("insights/", insights.insights_dashboard, name="insights"),
    path("insights/report/", insights.insights_report, name="insights_report"),
    path("ops/integrations/", integrations.ops_integrations, name="ops_integrations"),
    path(
        "ops/integrations/<int:token_id>/revoke/",
        integrations.ops_integration_revoke,
        name="ops_integration_revoke",
    ),
    path("audit/", audit.audit, name="audit"),
    path("audit/export.csv", exports.audit_export, name="audit_export"),
    path("audit/timeline.csv", exports.audit_timeline_export, name="audit_timeline_export"),
    path("audit/grants/<int:grant_id>/", audit.audit_detail, name="audit_detail"),
    path("audit/grants/<int:grant_id>/void/", audit.grant_void, name="grant_void"),
    path("audit/anomalies/", anomalies.anomaly_list, name="anomalies"),
    path("audit/anomalies/check/", anomalies.anomaly_checks_run, name="anomaly_checks_run"),
    path("audit/anomalies/<int:anomaly_id>/review/", anomalies.anomaly_review, name="anomaly_review"),
]
