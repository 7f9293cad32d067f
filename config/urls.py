from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from recovery.forms import LoginForm
from recovery.views.language import language_switch
from recovery.views.two_step import two_step, two_step_off, two_step_verify_page

admin.site.site_header = "Recovery Desk — policy"
admin.site.site_title = "Recovery Desk"

urlpatterns = [
    # For the container HEALTHCHECK and the load balancer: no login, never cached (config/health.py).
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    # The sign-in's second step, for employees with an authenticator app (recovery/two_step.py).
    path("login/code/", two_step_verify_page, name="two_step_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-step/", two_step, name="two_step"),
    path("account/two-step/off/", two_step_off, name="two_step_off"),
    path("language/", language_switch, name="language_switch"),
    path("admin/", admin.site.urls),
    path("ops/", include("compensation.urls")),
    path("api/v1/", include("recovery.api.urls")),
    path("", include("recovery.urls")),
]

# JSON under /api/, the usual pages elsewhere.
handler404 = "recovery.api.errors.page_not_found"
handler500 = "recovery.api.errors.server_error"
