"""The course's late policy as an nbgrader late-penalty plugin (``c.AssignLatePenalties.plugin_class`` in
``nbgrader_config.py``): nbgrader calls it for the gradebook, and ``late.LatePolicy`` calls the same plugin
for the kit's grades.csv, feedback and report, so both give the same penalty."""
from __future__ import annotations

import math

from nbgrader.plugins.base import BasePlugin
from traitlets import Float, Int


class PercentPerDay(BasePlugin):
    """``percent`` of the score per started day late, after ``grace_minutes`` of grace; from
    ``zero_after_days`` days late on (after the grace), the whole score."""

    percent = Float(10.0, help="Percent of the score taken off per started day late.").tag(config=True)
    grace_minutes = Float(15.0, help="Minutes after the due date that still count as on time.").tag(config=True)
    zero_after_days = Int(5, help="From this many days late on, the penalty is the whole score.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        late = total_seconds_late - 60 * self.grace_minutes
        if late <= 0:
            return None
        if late >= 86400 * self.zero_after_days:
            return float(score)
        return round(score * min(1.0, self.percent * math.ceil(late / 86400) / 100), 6)
