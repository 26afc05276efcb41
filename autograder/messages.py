"""Every student-facing sentence of the grading reports, in English and Chinese, in one place.

The course is taught in Chinese, so feedback can be written in either language (``grade --lang en,zh``).
What the checks themselves say (input, expected, got) comes from ``kitcheck.i18n``, written in every language
of the grading at once; the misconceptions from each catalog's ``ZH`` table.
"""
from __future__ import annotations

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "html_lang": "en",
        "feedback_title": "{title}: feedback for {sid}",
        "score": "Score: {score} / {total}",
        "not_graded": "Your notebook could not be graded normally: {error}",
        "cell_errors": "Some cells of your notebook raised errors while it ran:",
        "cell": "cell {cell}: {error}",
        "cell_input": " (input() waits for someone to type, and nobody types while your notebook is graded: write the "
                      "value into the code instead)",
        "passed_all": "Passed every check.",
        "what_failed": "What failed (the smallest input that shows it):",
        "likely_cause": "Likely cause:",
        "check_tip": "Run `check(\"name\")` in your notebook after each change to see this feedback right away.",
        "passed": "Passed.",
        "question_col": "Question",
        "points_col": "Points",
        "summary_col": "Result",
        "public_summary": "Public checks (the same check(\"name\") you ran in your notebook)",
        "public_ok": "✓ {name}: passes its public checks",
        "public_bad": "✗ {name}: fails its public checks",
        "public_after": "Your score appears when your instructor publishes the grades.",
        "no_notebook": "No notebook (.ipynb) to grade was found in your submission: upload the assignment's "
                       "notebook under its original name. When you upload several notebooks, only the one named "
                       "like the assignment is graded.",
        "grader_failed": "The autograder itself failed on this submission; please tell your instructor.",
        "late_on_time": "Submitted {submitted}, before the due date ({due}{extension}).",
        "late_late": "Submitted {submitted}, {late} after the due date ({due}{extension}).",
        "late_penalty": "Late penalty: {penalty} points, so your final score is {final} / {total}.",
        "late_no_penalty": "No late penalty applies.",
        "late_extension": ", with your extension",
        # what `grade` prints about the submissions
        "cli_none_found": "no submissions found in {paths}: give notebooks, a folder of notebooks, a folder with "
                          "a folder per student (each holding the notebook), or nbgrader's submitted/ folder",
        "cli_kept": " (with {earlier} submission(s) graded there before)",
        "cli_graded": "graded {n} submission(s) in {seconds} s; wrote {files}",
        "cli_broken": "error: the grader could not grade {n} submission(s) ({ids}); their rows say why. Grade them again once the cause is fixed.",
        # the instructor's class report (report.html)
        "r_title": "{title}: class report",
        "r_counts": "{n} submission(s) graded, {errored} could not be graded. Mean total {mean} / {total}.",
        "r_late": "{late} submission(s) late, {penalized} with a penalty; mean final score {mean} / {total}.",
        "r_policy": " Late policy: {policy}.",
        "r_earlier": "{earlier} of these submissions were graded by earlier runs into this folder (grading a few students again keeps the others).",
        "r_isolation": "Isolation of student code: {levels}.",
        "r_limits_only": "Warning: student code ran with resource limits only: it could read whatever the grader's user can read, the hidden tests included. Grade untrusted code as root (see the README's security model).",
        "r_reteach": "What to re-teach: the most common misconceptions",
        "r_students": "students",
        "r_question": "question",
        "r_cause": "likely cause (from the catalog)",
        "r_no_cause": "No failure matched a catalogued misconception.",
        "r_per_question": "Per question",
        "r_points": "points",
        "r_full": "full marks",
        "r_wrong": "wrong",
        "r_unexplained": "wrong, no catalogued cause",
        "r_not_attempted": "not attempted",
        "r_per_student": "Per student",
        "r_none": "None.",
        "r_errored": "Submissions that could not be graded",
        "r_error": "error",
        "r_cell_errors": "Graded, but cells raised while the notebook ran",
        "r_score": "score",
        "r_cells": "cells",
        "r_id": "id",
        "r_total": "total",
        "r_late_col": "late",
        "r_penalty": "penalty",
        "r_final": "final",
        "r_not_graded": "not graded: {error}",
        "r_no_time": "no submission time",
        "r_submitted": "submitted {time}",
        "r_on_time": "on time",
        "r_extension": "(extension)",
        "r_after_extension": "(after an extension)",
        "r_late_by": "{late} late",
        "r_scores_alt": "score per question",
        "r_totals_alt": "distribution of total scores",
    },
    "zh": {
        "html_lang": "zh-CN",
        "feedback_title": "{title}：{sid} 的作业反馈",
        "score": "得分：{score} / {total}",
        "not_graded": "你的 notebook 无法正常评分：{error}",
        "cell_errors": "运行你的 notebook 时，以下单元格报错：",
        "cell": "第 {cell} 个单元格：{error}",
        "cell_input": "（input() 会等待有人输入，而评分时没有人输入：请把值直接写进代码）",
        "passed_all": "通过了全部检查。",
        "what_failed": "未通过的检查（能说明问题的最小输入）：",
        "likely_cause": "可能的原因：",
        "check_tip": "每次修改后，在 notebook 中运行 `check(\"name\")`，即可立即看到这些反馈。",
        "passed": "通过。",
        "question_col": "题目",
        "points_col": "得分",
        "summary_col": "结果",
        "public_summary": "公开检查（即你在 notebook 中运行的 check(\"name\")）",
        "public_ok": "✓ {name}：通过公开检查",
        "public_bad": "✗ {name}：未通过公开检查",
        "public_after": "老师发布成绩后即可看到你的得分。",
        "no_notebook": "你提交的文件中没有找到可评分的 notebook：请用原来的文件名上传本次作业的 notebook（.ipynb）。"
                       "同时上传多个 notebook 时，只评与作业同名的那一个。",
        "grader_failed": "自动评分程序在处理你的提交时出错，请告诉老师。",
        "late_on_time": "提交时间 {submitted}，在截止时间（{due}{extension}）之前。",
        "late_late": "提交时间 {submitted}，比截止时间（{due}{extension}）晚了 {late}。",
        "late_penalty": "迟交扣分：{penalty} 分，最终得分 {final} / {total}。",
        "late_no_penalty": "不扣迟交分。",
        "late_extension": "，已含你的延期",
        # what `grade` prints about the submissions
        "cli_none_found": "在 {paths} 中没有找到提交：请给出 notebook 文件、装有 notebook 的文件夹、每个学生一个子文件夹"
                          "（各含其 notebook）的文件夹，或 nbgrader 的 submitted/ 文件夹",
        "cli_kept": "（含之前评入该文件夹的 {earlier} 份提交）",
        "cli_graded": "{seconds} 秒内评完 {n} 份提交；已写入 {files}",
        "cli_broken": "错误：评分程序无法评分 {n} 份提交（{ids}）；原因见各自的记录。排除原因后请重新评分。",
        # the instructor's class report (report.html)
        "r_title": "{title}：全班报告",
        "r_counts": "已评分 {n} 份提交，{errored} 份无法评分。平均总分 {mean} / {total}。",
        "r_late": "{late} 份提交迟交，其中 {penalized} 份被扣分；平均最终得分 {mean} / {total}。",
        "r_policy": " 迟交规则：{policy}。",
        "r_earlier": "其中 {earlier} 份提交由之前写入本文件夹的评分运行评出（重新评几个学生时，其他学生的成绩保留）。",
        "r_isolation": "学生代码的隔离方式：{levels}。",
        "r_limits_only": "警告：学生代码只受资源限制：它能读取评分用户能读取的一切，包括隐藏测试。请以 root 身份评分不可信的代码（见 README 的安全模型）。",
        "r_reteach": "需要重讲的内容：最常见的误解",
        "r_students": "学生数",
        "r_question": "题目",
        "r_cause": "可能的原因（来自误解目录）",
        "r_no_cause": "没有哪个错误与目录中的误解相符。",
        "r_per_question": "按题目统计",
        "r_points": "分值",
        "r_full": "满分",
        "r_wrong": "错误",
        "r_unexplained": "错误，目录中无对应原因",
        "r_not_attempted": "未作答",
        "r_per_student": "按学生统计",
        "r_none": "无。",
        "r_errored": "无法评分的提交",
        "r_error": "错误信息",
        "r_cell_errors": "已评分，但运行 notebook 时有单元格报错",
        "r_score": "得分",
        "r_cells": "单元格",
        "r_id": "学号",
        "r_total": "总分",
        "r_late_col": "迟交",
        "r_penalty": "扣分",
        "r_final": "最终得分",
        "r_not_graded": "未评分：{error}",
        "r_no_time": "无提交时间",
        "r_submitted": "提交于 {time}",
        "r_on_time": "按时",
        "r_extension": "（已延期）",
        "r_after_extension": "（延期之后）",
        "r_late_by": "迟交 {late}",
        "r_scores_alt": "各题得分",
        "r_totals_alt": "总分分布",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (English when a language lacks it), with ``values`` filled in."""
    table = MESSAGES.get(lang, MESSAGES["en"])
    return table.get(key, MESSAGES["en"][key]).format(**values)


def parse_langs(text: str) -> list[str]:
    """``"en,zh"`` -> ``["en", "zh"]``; raises ValueError naming an unknown language."""
    langs = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [lang for lang in langs if lang not in LANGS]
    if unknown or not langs:
        raise ValueError(f"unknown language {', '.join(unknown) or text!r}; choose from {', '.join(LANGS)}")
    return list(dict.fromkeys(langs))  # keep order, drop repeats
