"""The built-in checks, one module per scope; importing this package registers them.

- `event`: one meeting at a time (documents, agenda, decision, keywords,
  hours, recurrence, size);
- `day`: the meetings of one day (back-to-back runs, a day without a focus block);
- `window`: the whole audited span (double bookings, the weekly focus target).
"""

from guardian.lint.checks import day, event, window

__all__ = ["day", "event", "window"]
