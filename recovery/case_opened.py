"""Kept for callers not yet moved: the signed "case opened at" stamp is pure and lives in
`recovery.domain.case_opened`; import it from there."""

from recovery.domain.case_opened import MAX_AGE, MAX_STAMP_LENGTH, SALT, case_opened_at, case_opened_stamp

__all__ = ["MAX_AGE", "MAX_STAMP_LENGTH", "SALT", "case_opened_at", "case_opened_stamp"]
