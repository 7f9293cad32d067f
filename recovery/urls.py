from django.urls import path

from recovery import anomaly_views, insight_views, ops_views, views, views_integrations

urlpatterns = [
    path("", views.home, name="home"),
    path("counter/", views.counter, name="counter"),
    path("counter/location/", views.counter_location_choose, name="counter_location_choose"),
    path("counter/customers/add/", views.customer_add, name="customer_add"),
    path("counter/customers/<int:customer_id>/resolve/", views.counter_resolve, name="counter_resolve"),
    path("counter/customers/<int:customer_id>/quotes/", views.counter_quotes, name="counter_quotes"),
    path("counter/grants/<int:grant_id>/", views.counter_granted, name="counter_granted"),
    path("counter/grants/<int:grant_id>/slip/", views.grant_slip, name="grant_slip"),
    path("counter/my-grants/", views.my_grants, name="my_grants"),
    path("counter/customers/<int:customer_id>/escalate/", views.counter_escalate, name="counter_escalate"),
    path("counter/escalations/<int:escalation_id>/", views.escalation_status, name="escalation_status"),
    path("counter/flags/", views.rule_flag_raise, name="rule_flag_raise"),
    path("counter/vouchers/", views.voucher_redeem, name="voucher_redeem"),
    # The customer's voucher page: no login, the signed token is the key.
    path("v/<str:token>/", views.voucher_public, name="voucher_public"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:escalation_id>/decide/", views.escalation_decide, name="escalation_decide"),
    path("budgets/", ops_views.budgets, name="budgets"),
    path("ops/replay/", ops_views.ops_replay, name="ops_replay"),
    path("ops/flags/", ops_views.ops_flags, name="ops_flags"),
    path("ops/flags/<int:flag_id>/handle/", ops_views.ops_flag_handle, name="ops_flag_handle"),
    path("insights/", insight_views.insights_dashboard, name="insights"),
    path("insights/report/", insight_views.insights_report, name="insights_report"),
    path("ops/integrations/", views_integrations.ops_integrations, name="ops_integrations"),
    path(
        "ops/integrations/<int:token_id>/revoke/",
        views_integrations.ops_integration_revoke,
        name="ops_integration_revoke",
    ),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/timeline.csv", views.audit_timeline_export, name="audit_timeline_export"),
    path("audit/grants/<int:grant_id>/", views.audit_detail, name="audit_detail"),
    path("audit/grants/<int:grant_id>/void/", views.grant_void, name="grant_void"),
    path("audit/anomalies/", anomaly_views.anomaly_list, name="anomalies"),
    path("audit/anomalies/check/", anomaly_views.anomaly_checks_run, name="anomaly_checks_run"),
    path("audit/anomalies/<int:anomaly_id>/review/", anomaly_views.anomaly_review, name="anomaly_review"),
]
