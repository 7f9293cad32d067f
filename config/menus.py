"""The ops menu, composed in one place for both apps' pages.

Policy pages (compensation) and the ops pages the case app serves (replay,
flags, integrations, budgets) share one menu. Neither app may name the
other's URLs in its templates, so the project composes it: each entry is a
URL name, its label, the other URL names under it (an open version marks
"Versions" as current) and the permission that shows it, asked through
`rules` like every other permission.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    also_current: tuple[str, ...] = ()
    permission: str | None = None  # None: everyone who reaches an ops page sees it

    def is_current(self, url_name: str | None) -> bool:
        return url_name == self.url_name or url_name in self.also_current


OPS_MENU = (
    MenuEntry("ops_home", _("Overview"), also_current=("ops_draft_add", "ops_draft_edit")),
    MenuEntry("ops_publish", _("Publish")),
    MenuEntry("ops_versions", _("Versions"), also_current=("ops_version", "ops_version_rollback")),
    MenuEntry("ops_simulator", _("Simulator")),
    MenuEntry("ops_replay", _("Replay")),
    MenuEntry("ops_flags", _("Flags")),
    MenuEntry("ops_integrations", _("Integrations"), permission="recovery.view_apitoken"),
    MenuEntry(
        "ops_webhooks",
        _("Webhooks"),
        also_current=("ops_webhook_deliveries", "ops_webhook_secret_roll"),
        permission="recovery.view_webhooksubscriber",
    ),
    MenuEntry("budgets", _("Budgets")),
    MenuEntry("recovery_effect", _("What recovery buys"), permission="recovery.view_effect"),
    MenuEntry("ops_visit_import", _("Import visits"), permission="recovery.import_visits"),
    MenuEntry("ops_customer_status", _("Customer status"), permission="recovery.set_customer_status"),
    MenuEntry(
        "ops_experiments",
        _("Experiments"),
        also_current=("ops_experiment", "ops_experiment_stop"),
        permission="recovery.view_experiment",
    ),
)


def ops_menu(request) -> list[dict]:
    """The entries `request.user` may open, each with its link and whether it is the page shown."""
    current = request.resolver_match.url_name if request.resolver_match else None
    return [
        {"href": reverse(entry.url_name), "label": entry.label, "current": entry.is_current(current)}
        for entry in OPS_MENU
        if entry.permission is None or request.user.has_perm(entry.permission)
    ]


def ops_menu_context(request) -> dict:
    """Context processor: `ops_menu`, computed only when a template reads it."""
    return {"ops_menu": SimpleLazyObject(lambda: ops_menu(request))}
