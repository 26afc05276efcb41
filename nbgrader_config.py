# nbgrader's configuration for this course. `python -m autograder build` runs nbgrader with it, and so do
# `./kit nbgrader ...` and `./kit grade --gradebook` (which reads the late policy below).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "pytorch-course-kit"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Hidden tests run hypothesis; give a cell time on a slow laptop.
c.ExecutePreprocessor.timeout = 300
# After a cell's reply, nbclient waits only 4 s for the kernel's last output messages, and nbgrader turns that
# wait into an error for the whole submission ("Timeout waiting for IOPub output", nbgrader issue #1230) when the
# machine is busy. Grading a class keeps it busy; wait as long as a cell may run.
c.ExecutePreprocessor.iopub_timeout = 300

# Late work. A submission is late when nbgrader's timestamp.txt is after the due date (set it with
# `./kit nbgrader db assignment add NAME --duedate="2025-03-01 23:59:00 Asia/Shanghai"`; a student's
# extension with nbgrader's Gradebook.grant_extension, or `./kit grade --extensions FILE`).
# The course's policy: 10% of the score per started day late, after 15 minutes of grace; from 5 days late
# on, the whole score. Both nbgrader (autograde, formgrader, export) and the kit (grades.csv, feedback,
# report.html) apply it. For nbgrader's own policies instead:
#   c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
#   c.LateSubmissionPlugin.penalty_method = "none"   # or "zero": a late submission scores 0
c.AssignLatePenalties.plugin_class = "autograder.late_plugin.PercentPerDay"
c.PercentPerDay.percent = 10
c.PercentPerDay.grace_minutes = 15
c.PercentPerDay.zero_after_days = 5

# nbgrader's own feedback (`./kit nbgrader generate_feedback`) leaves out the hidden-test regions, which
# nbgrader shows by default; the kit's feedback never shows them either.
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
                                    "nbgrader.preprocessors.ClearHiddenTests"]

# The course's languages (the kit's own setting; nbgrader ignores it). Each assignment is written once, with
# its teaching text in both languages (markdown cells tagged "lang" in their "kit" metadata); the build makes
# one edition per language from it. The first language's edition is release/ (what nbgrader releases and
# grades against); the others go to release-<lang>/ and solutions-<lang>/. Both editions share every code
# cell, grade id and point, so a submission of either is graded the same. A Chinese-taught class: ["zh", "en"].
c.CourseKit.languages = ["en", "zh"]
