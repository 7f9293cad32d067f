"""The versioned integration JSON API (`/api/v1/`): point-of-sale and CRM systems use the desk.

Thin DRF views over the same services, selectors and `rules` predicates as the
counter. An integration authenticates with a per-integration bearer token that
acts as its own user (see `recovery.models.ApiToken`).
"""
