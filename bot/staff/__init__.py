"""The phone-staff console at ``/staff``: accounts, login, search, citizen look-up with an
audit log, "what would the bot answer", and the content view for editors.

Modules: :mod:`.auth` (argon2 passwords, staff sessions), :mod:`.search` (instant search
over FAQ, issuers and tariffs), :mod:`.handlers` (the routes), ``python -m bot.staff``
(the account CLI). Imported only by :mod:`bot.app`.
"""
