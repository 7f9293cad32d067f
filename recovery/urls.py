from django.urls import path

from recovery import views

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
    path("audit/", views.audit, name="audit"),
    path("audit/grants/<int:grant_id>/", views.audit_detail, name="audit_detail"),
    path("audit/grants/<int:grant_id>/void/", views.grant_void, name="grant_void"),
]
