"""The pure core: what guardian knows about calendars, time and text.

Lives here: the normalized model (`model`), interval arithmetic
(`intervals`), working hours (`workhours`), the one availability rule
(`availability`: busy, day off, focus already booked), and reading invites
(`links`, `agenda`, `text`).

May import: the standard library, `guardian.errors` and small pure helper
libraries (dateutil). Never a file, the network, the environment or the
clock: every answer here is a function of its arguments, which is what lets
the audit, the planner and the report agree and be tested without I/O.
Checked by tests/test_architecture.py.
"""
