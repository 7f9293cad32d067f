"""The ops menu (config/menus.py): one list for both apps' ops pages, filtered by permission, current page marked."""

import pytest
from django.urls import reverse

from compensation.models import PolicyVersion
from config.menus import OPS_MENU, ops_menu

pytestmark = pytest.mark.django_db


def menu_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [(entry["label"], entry["current"]) for entry in response.context["ops_menu"]]


def test_ops_see_every_entry_with_the_page_they_are_on_marked(ops_client):
    menu = menu_of(ops_client, reverse("ops_version", args=[PolicyVersion.objects.earliest("number").number]))
    assert [str(label) for label, _ in menu] == [
        "Overview",
        "Publish",
        "Versions",
        "Simulator",
        "Replay",
        "Flags",
        "Integrations",
        "Webhooks",
        "Budgets",
        "What recovery buys",
        "Import visits",
        "Customer status",
        "Experiments",
    ]
    # A version's own page sits under "Versions".
    assert [str(label) for label, current in menu if current] == ["Versions"]


def test_the_same_menu_on_the_case_apps_ops_pages(manager_client):
    menu = menu_of(manager_client, reverse("budgets"))
    # All but "Import visits", "Customer status" and "Webhooks" (ops; auditors read webhooks).
    assert len(menu) == len(OPS_MENU) - 3
    assert [str(label) for label, current in menu if current] == ["Budgets"]
    page = manager_client.get(reverse("budgets")).content.decode()
    assert f'<a href="{reverse("budgets")}" aria-current="page">Budgets</a>' in page


def test_an_entry_is_left_out_for_whom_its_permission_says_no(rf, frontline, manager):
    request = rf.get(reverse("budgets"))
    request.resolver_match = None
    request.user = frontline  # may not read API tokens (recovery.view_apitoken)
    assert "Integrations" not in [str(entry["label"]) for entry in ops_menu(request)]
    request.user = manager
    assert "Integrations" in [str(entry["label"]) for entry in ops_menu(request)]


def test_experiments_are_in_the_menu_for_those_who_read_them(rf, frontline, manager, auditor):
    request = rf.get(reverse("budgets"))
    request.resolver_match = None
    request.user = frontline
    assert "Experiments" not in [str(entry["label"]) for entry in ops_menu(request)]
    for reader in (manager, auditor):
        request.user = reader
        assert "Experiments" in [str(entry["label"]) for entry in ops_menu(request)]
