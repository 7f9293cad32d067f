"""Full coverage for `verify_audit`: every record that decides money or trust against its journal entry, both ways.

The hash chains (`compensation.journal.verify_chain`) prove the journal was
not rewritten; this package proves the tables still say what the journal
says. Each kind of record is one `Coverage` in `coverages` (adding a kind is
one more entry there); `records_verify` streams records and entries in keyset
batches, so memory stays bounded at millions of rows.
"""

from recovery.audit_verify.coverages import COVERAGES, JOURNAL_VERSION
from recovery.audit_verify.run import Mismatch, Report, records_verify

__all__ = ["COVERAGES", "JOURNAL_VERSION", "Mismatch", "Report", "records_verify"]
