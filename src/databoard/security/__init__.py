"""Rules for untrusted input and secrets, shared by every part that meets them.

Each rule lives here once (masking secrets, judging a secret key, which links an author
may publish, defusing spreadsheet formulas), so the config printout, the logs, the error
pages, ``check`` and the downloads cannot drift apart.
"""
