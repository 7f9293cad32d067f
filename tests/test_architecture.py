"""The bottom layer is honest: recovery uses compensation, compensation never depends on recovery.

An import is not the only dependency (STYLE.md): a model field's target, a
migration's dependency and a template tag library are too. These tests hold the
direction that issue 19 established, so a new one fails here rather than in the
next attempt to migrate or deploy the policy app on its own.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.template.backends.django import get_installed_libraries


def test_no_compensation_model_field_relates_to_a_recovery_model():
    # Forward fields only: recovery's models pointing at compensation's (reverse relations) are the allowed direction.
    reaching_back = [
        f"{model._meta.label}.{field.name} → {field.related_model._meta.label}"
        for model in apps.get_app_config("compensation").get_models()
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model._meta.app_label == "recovery"
    ]
    assert reaching_back == []


def test_no_compensation_migration_depends_on_a_recovery_migration():
    # Graph parents include `dependencies` and any `run_before` that points the other way.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    reaching_back = [
        f"{node.key} → {parent.key}"
        for key, node in graph.node_map.items()
        if key[0] == "compensation"
        for parent in node.parents
        if parent.key[0] == "recovery"
    ]
    assert reaching_back == []


def test_compensation_migrates_on_its_own():
    """The state at compensation's latest migrations renders without recovery: no lazy reference into it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = [key for key in loader.graph.leaf_nodes() if key[0] == "compensation"]
    state = loader.project_state(leaves)
    assert "recovery" not in {app_label for app_label, _ in state.models}
    location = state.apps.get_model("compensation", "Location")
    assert location._meta.db_table == "recovery_location"


def test_compensation_templates_load_no_recovery_tag_library():
    modules = get_installed_libraries()  # {"desk": "recovery.templatetags.desk", ...}
    loaded_from_recovery = [
        f"{template.name}: {name}"
        for template in sorted((Path(settings.BASE_DIR) / "templates" / "compensation").glob("*.html"))
        for names in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", template.read_text())
        for name in names.split()
        if modules[name].startswith("recovery.")
    ]
    assert loaded_from_recovery == []
