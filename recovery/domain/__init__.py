"""The bottom layer of `recovery`: pure rules with no database.

What lives here takes plain values and returns plain values (or raises a
`RecoveryError`), so forms, serializers, selectors and services can all use it
without depending on one another: phone numbers (`phones`), what makes two
grant requests the same (`fingerprints`), voucher codes and links (`vouchers`),
the signed moment a case was opened (`case_opened`), how long a request has
waited (`waiting`), and the errors a counter request is refused with (`errors`).
"""
