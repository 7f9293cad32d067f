"""HTTP answers both apps give with the same meaning.

`compensation` is the bottom app (`recovery` imports it, never the other way
round), so the status both apps' pages and the API send back lives here.
"""

INVALID = 422  # a form or request sent back with errors: nothing was stored or changed
