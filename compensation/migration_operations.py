"""Migration operations for a table that two migration histories have built.

`Location` moved from recovery to compensation (issue 19) without moving its
tables. A database migrated before the move already has the columns recovery's
migrations added; a new one gets them from compensation's. The operations here
let one compensation migration bring both to the same shape.
"""

from django.db import migrations


def column_names(schema_editor, table: str) -> set[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


class AddFieldUnlessPresent(migrations.AddField):
    """`AddField` that leaves the database alone where the column already exists.

    The project state always gains the field; the column is added (and existing
    rows filled with the field's default) only where an earlier migration of the
    other app did not add it already. Backwards it drops the column like `AddField`.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        if column in column_names(schema_editor, model._meta.db_table):
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Add field {self.name} to {self.model_name} unless its column is there"
