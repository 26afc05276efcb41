"""Every student-facing sentence of the grading reports, in English and Chinese, in one place.

The course is taught in Chinese, so feedback can be written in either language (``grade --lang en,zh``).
What the checks themselves print (input, expected, got) and the misconception catalog's sentences stay
in English: they are precise technical text, and the feedback says so when the page is in Chinese.
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
        "passed_all": "Passed every check.",
        "what_failed": "What failed (the smallest input that shows it):",
        "likely_cause": "Likely cause:",
        "english_only": "",
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
    },
    "zh": {
        "html_lang": "zh-CN",
        "feedback_title": "{title}：{sid} 的作业反馈",
        "score": "得分：{score} / {total}",
        "not_graded": "你的 notebook 无法正常评分：{error}",
        "cell_errors": "运行你的 notebook 时，以下单元格报错：",
        "cell": "第 {cell} 个单元格：{error}",
        "passed_all": "通过了全部检查。",
        "what_failed": "未通过的检查（能说明问题的最小输入）：",
        "likely_cause": "可能的原因：",
        "english_only": "（尚未翻译的检查信息和原因说明以英文原文显示）",
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
