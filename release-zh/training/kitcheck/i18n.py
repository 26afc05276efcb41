"""What ``check()`` says, in the edition's language (English or Chinese), from one table.

The language is the edition's (the build writes it into the student package as ``data/language.txt``), or
``KIT_LANG`` when set. Every sentence has both languages: ``tests/test_i18n.py`` fails otherwise.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

LANGS = ("en", "zh")
_FILE = Path(__file__).resolve().parent / "data" / "language.txt"


def languages() -> tuple[str, ...]:
    """The languages messages are written in: the edition's one for a student's ``check()``, or ``KIT_LANG``
    (``"zh"``; the grader sets ``"en,zh"`` to write feedback in both languages from one grading run)."""
    wanted = [part.strip() for part in os.environ.get("KIT_LANG", "").split(",")]
    wanted = [lang for lang in wanted if lang in LANGS]
    if wanted:
        return tuple(dict.fromkeys(wanted))
    try:
        found = _FILE.read_text().strip()
    except OSError:
        return ("en",)
    return (found,) if found in LANGS else ("en",)


def language() -> str:
    """``"en"`` or ``"zh"``: the first of ``languages()``."""
    return languages()[0]


# With several languages, a sentence is written as all of them at once, between these private-use characters
# (one part per ``LANGS``, in order), so that it survives the f-strings and joins that build a failure message;
# ``in_language`` reads one language back. Only this module writes and reads the form.
_OPEN, _SEP, _CLOSE = "\ue000", "\ue001", "\ue002"
_PART = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}")
_MARKS = {ord(c): None for c in (_OPEN, _SEP, _CLOSE)}


def _written(render) -> str:
    langs = languages()
    if len(langs) == 1:
        return render(langs[0])
    return _OPEN + _SEP.join(render(lang).translate(_MARKS) for lang in LANGS) + _CLOSE


def in_language(text: str, lang: str) -> str:
    """``text`` read in ``lang``: each sentence written in several languages at once (``say`` and ``tr`` under
    ``KIT_LANG=en,zh``) becomes its ``lang`` part. Text in one language comes back unchanged, less any stray
    marker (a student's own exception message cannot forge a sentence)."""
    index = LANGS.index(lang) if lang in LANGS else 0

    def pick(match: re.Match) -> str:
        parts = match.group(1).split(_SEP)
        return parts[index] if len(parts) == len(LANGS) else parts[0]

    return _PART.sub(pick, text).translate(_MARKS)


def per_language(text: str) -> dict[str, str]:
    """``text`` in each of ``languages()``."""
    return {lang: in_language(text, lang) for lang in languages()}


MESSAGES: dict[str, dict[str, str]] = {
    "passed": {
        "en": "✓ {name}: the public checks pass. (Hidden tests will also try other shapes, dtypes and devices.)",
        "zh": "✓ {name}：公开检查全部通过。（隐藏测试还会用更多的形状、数据类型和设备进行检查。）"},
    "could_not_run": {
        "en": "{name}: the check could not run ({error})",
        "zh": "{name}：检查无法运行（{error}）"},
    "too_slow_total": {
        "en": "{name}: check stopped after {seconds:g} s in all: your function is too slow for these small inputs "
              "(each call should take well under a second)",
        "zh": "{name}：检查总共运行了 {seconds:g} 秒后被停止：对这些很小的输入，你的函数太慢了（每次调用应远少于 1 秒）"},
    "too_slow_call": {
        "en": "{name}: your function did not finish within {seconds:g} s, so check stopped it",
        "zh": "{name}：你的函数在 {seconds:g} 秒内没有结束，检查已将其停止"},
    "endless_loop": {
        "en": "Look for a loop that never ends (a `while` whose condition never becomes false) or that runs far "
              "more often than it should.",
        "zh": "检查是否有永不结束的循环（条件永远不会变为假的 `while`），或者循环次数远超需要。"},
    "still_running": {
        "en": "It may still be running in the background: restart the kernel to stop it.",
        "zh": "它可能仍在后台运行：重启内核（Restart Kernel）即可停止。"},
    "more_time": {
        "en": "If your code is only slow, allow it more time in the notebook: check(\"{name}\", timeout=60).",
        "zh": "如果代码只是慢，可以在 notebook 中给它更多时间：check(\"{name}\", timeout=60)。"},
    "input": {"en": "input:   ", "zh": "输入：  "},
    "expected": {"en": "expected:", "zh": "期望值："},
    "got": {"en": "got:     ", "zh": "实际值："},
    "likely_cause": {"en": "likely cause:", "zh": "可能的原因："},
    "not_written": {"en": "not written yet", "zh": "尚未完成"},
    "not_defined": {"en": "not defined: run its cell", "zh": "未定义：请运行它的单元格"},
    "did_not_finish": {"en": "did not finish in time", "zh": "未能在限定时间内完成"},
    "did_not_finish_within": {"en": "did not finish within {seconds:g} s", "zh": "未在 {seconds:g} 秒内完成"},
    "cannot_run_short": {"en": "the check could not run", "zh": "检查无法运行"},
    "none_defined": {
        "en": "✗ check_all: none of this course's exercises is defined yet; run the notebook's cells first "
              "(Run All), then this cell.",
        "zh": "✗ check_all：本次作业的练习还都没有定义；请先运行 notebook 的所有单元格（Run All），再运行这个单元格。"},
    "table_footer": {"en": "For the details of a ✗, run its check(\"name\") cell.",
                     "zh": "想了解 ✗ 的详情，请运行对应的 check(\"name\") 单元格。"},
    "table_title": {"en": "{title} (public checks)", "zh": "{title}（公开检查）"},
    "table_header": {"en": "  #  {exercise}points  check", "zh": "  #  {exercise}分值    检查"},
    "exercise_col": {"en": "exercise", "zh": "练习"},
    "not_checked": {"en": "-  not checked", "zh": "-  未检查"},
    "fails": {"en": "fails", "zh": "未通过"},
    "table_total": {
        "en": "{passed} of {total} exercises pass their public checks: {points} of {max_points} points, if the "
              "hidden tests agree.",
        "zh": "{total} 道练习中有 {passed} 道通过了公开检查：若隐藏测试也通过，可得 {points} / {max_points} 分。"},
    "skipped_many": {
        "en": "⏭ skipped: this cell needs {names}, which are not written yet: finish them, run their cells, then "
              "run this cell again.",
        "zh": "⏭ 已跳过：这个单元格需要 {names}，它们还没有完成：先完成并运行它们的单元格，再运行这个单元格。"},
    "skipped_one": {"en": "⏭ skipped: this cell needs {name}, {why}.", "zh": "⏭ 已跳过：这个单元格需要 {name}，{why}。"},
    "and": {"en": " and ", "zh": " 和 "},
    "wrong_type": {"en": "{what} has the right values but the wrong type: expected {expected_type}, got {got_type}",
                   "zh": "{what}的数值是对的，但类型不对：期望 {expected_type}，实际是 {got_type}"},
    "list_sep": {"en": ", ", "zh": "、"},
    "exercise_n": {"en": "Exercise {n} (`{name}`)", "zh": "练习 {n}（`{name}`）"},
    "waits_not_defined": {"en": "which is not defined yet: run its cell first",
                          "zh": "它还没有定义：请先运行它的单元格"},
    "waits_not_written": {
        "en": "which is not written yet: finish it, run its cell, then run this cell again",
        "zh": "它还没有完成：先完成并运行它的单元格，再运行这个单元格"},
    "layout_expanded": {"en": "an expanded (broadcast) view", "zh": "扩展（广播）得到的视图"},
    "layout_transposed": {"en": "a transposed, non-contiguous view", "zh": "转置得到的非连续视图"},
    "layout_sliced": {"en": "a sliced, non-contiguous view", "zh": "切片得到的非连续视图"},
    "shape_of": {"en": "tensor of shape {shape}", "zh": "形状为 {shape} 的张量"},
    "not_on_cpu": {"en": "not on the CPU", "zh": "不在 CPU 上"},
    "values_from": {"en": ", values from {low} to {high}", "zh": "，取值从 {low} 到 {high}"},
    "with_specials": {"en": ", with {n} inf/nan", "zh": "，含 {n} 个 inf/nan"},
    "around_index": {"en": ", around index {index}: {window}", "zh": "，索引 {index} 附近：{window}"},
    "no_gpu": {
        "en": "Your code moves tensors to the GPU (.cuda() or device='cuda'), and this machine has none. Use the "
              "input's device instead: torch.zeros(n, device=x.device), or t.to(x.device).",
        "zh": "你的代码把张量移到了 GPU（.cuda() 或 device='cuda'），而这台机器没有 GPU。请改用输入所在的设备："
              "torch.zeros(n, device=x.device)，或 t.to(x.device)。"},
    "view_needs_contiguous": {
        "en": "The input is non-contiguous (a transposed or sliced view), and .view() needs contiguous memory: use "
              ".reshape() instead.",
        "zh": "输入是非连续张量（转置或切片得到的视图），而 .view() 需要连续的内存：请改用 .reshape()。"},
    "mixed_devices": {
        "en": "Your code mixes tensors on different devices: make new tensors on the input's device "
              "(device=x.device, or torch.zeros_like(x)) instead of using .cuda() or .cpu().",
        "zh": "你的代码混用了不同设备上的张量：新建张量时请放在输入所在的设备上（device=x.device，或 torch.zeros_like(x)），"
              "不要用 .cuda() 或 .cpu()。"},
    "created_on_cpu": {
        "en": "Your code created a tensor on the CPU while the input is elsewhere; make new tensors on the input's "
              "device: device=x.device, or torch.zeros_like(x).",
        "zh": "输入不在 CPU 上，你的代码却在 CPU 上新建了张量；新建张量时请放在输入所在的设备上：device=x.device，"
              "或 torch.zeros_like(x)。"},
    "reads_values": {
        "en": "Your code reads values out of a tensor into Python (.item(), .tolist(), float(), numpy, or an `if` "
              "on a tensor); on a GPU that is slow, and the check cannot follow it. Keep the computation in tensor "
              "operations.",
        "zh": "你的代码把张量的值读进了 Python（.item()、.tolist()、float()、numpy，或对张量做 `if` 判断）；在 GPU 上这"
              "很慢，检查也无法跟踪。请用张量运算完成计算。"},
    "other_device": {
        "en": "It works on the CPU but not when the input is on another device: create every new tensor on the "
              "input's device (device=x.device, or torch.*_like(x)).",
        "zh": "它在 CPU 上能运行，但输入在其他设备上时就不行：每个新张量都要建在输入所在的设备上（device=x.device，"
              "或 torch.*_like(x)）。"},
    "argument_n": {"en": "argument {n}", "zh": "第 {n} 个参数"},
    "mixes_devices": {
        "en": "your code combines a tensor on the CPU with the input, which is not on the CPU (as on a GPU): {ops}",
        "zh": "输入不在 CPU 上（比如在 GPU 上），你的代码却把它和 CPU 上的张量放在一起运算：{ops}"},
    "result_on_cpu": {
        "en": "{what} is on the CPU ('{device}'), but the input was not: your code created a tensor on the CPU "
              "while the input is elsewhere",
        "zh": "{what}在 CPU 上（'{device}'），而输入不在：输入在其他设备上时，你的代码在 CPU 上新建了张量"},
    "create_on_input_device": {
        "en": "Create new tensors on the input's device: device=x.device, or torch.zeros_like(x).",
        "zh": "新建张量时请放在输入所在的设备上：device=x.device，或 torch.zeros_like(x)。"},
    "wrong_device": {
        "en": "{what} is on device '{device}', but the input was on '{want}' (create new tensors with "
              "device=x.device, or use torch.*_like)",
        "zh": "{what}在设备 '{device}' 上，而输入在 '{want}' 上（新建张量请用 device=x.device，或 torch.*_like）"},
    "should_return_tuple": {"en": "should return a tuple ({names}), but it returned {got}",
                            "zh": "应当返回元组 ({names})，但它返回了 {got}"},
    "fails_off_cpu": {"en": "your function fails when the input is not on the CPU (as on a GPU): it raised {what}",
                      "zh": "输入不在 CPU 上（比如在 GPU 上）时，你的函数出错了：抛出了 {what}"},
    "result_off_cpu": {"en": "the result for an input on another device", "zh": "输入在其他设备上时的结果"},
    "items_replayed": {
        "en": " (Reading values with .item() is fine: the check replayed them; something else in your code assumes "
              "the CPU.)",
        "zh": "（用 .item() 读取数值本身没有问题：检查已按读到的值重放；问题出在代码的其他地方默认输入在 CPU 上。）"},
    "expected_raise_got_raise": {"en": "expected {error} ({why}), but your function raised {what}",
                                 "zh": "应当抛出 {error}（{why}），但你的函数抛出了 {what}"},
    "expected_raise_got_value": {"en": "expected {error} ({why}), but your function returned {got}",
                                 "zh": "应当抛出 {error}（{why}），但你的函数返回了 {got}"},
    "is_wrong": {"en": "{what} is wrong", "zh": "{what}不对"},
    "forgot_return": {"en": "None (did you forget `return`?)", "zh": "None（是不是忘了 `return`？）"},
    "a_type": {"en": "a {name}", "zh": "{name} 类型的值"},
    "wrong_values": {"en": "{what} has wrong values", "zh": "{what}的数值不对"},
    "the_result": {"en": "the result", "zh": "结果"},
    "not_a_tensor": {"en": "{what} should be a torch.Tensor, but it is {kind}",
                     "zh": "{what}应当是 torch.Tensor，但它是 {kind}"},
    "wrong_shape": {"en": "{what} has the wrong shape: expected {expected}, got {got}",
                    "zh": "{what}的形状不对：期望 {expected}，实际是 {got}"},
    "wrong_dtype": {"en": "{what} has dtype {got}, expected {expected}", "zh": "{what}的数据类型是 {got}，期望 {expected}"},
    "keep_dtype": {"en": " (keep the input's dtype; don't hard-code one)", "zh": "（保持输入的数据类型，不要写死）"},
    "float64_appears": {
        "en": "A float64 tensor appears somewhere: .double(), dtype=torch.float64, or torch.tensor() of a Python "
              "float list mixed in. Build new tensors with dtype=x.dtype, or torch.*_like(x).",
        "zh": "某处出现了 float64 张量：.double()、dtype=torch.float64，或用 torch.tensor() 把 Python 浮点数列表混了进来。"
              "新建张量时请用 dtype=x.dtype，或 torch.*_like(x)。"},
    "changed_input": {"en": "your function changed its input {which} in place: {detail}",
                      "zh": "你的函数原地修改了输入 {which}：{detail}"},
    "changed_input_help": {
        "en": "The caller still needs its tensor as it was. Compute into a new tensor instead (x = x - m, not "
              "x -= m or x.sub_(m)); if you must edit, work on x.clone().",
        "zh": "调用者还需要原来的张量。请把结果算到新张量里（写 x = x - m，而不是 x -= m 或 x.sub_(m)）；"
              "确实需要原地修改时，先 x.clone()。"},
    "raised": {"en": "your function raised {what}", "zh": "你的函数抛出了异常 {what}"},
    "check_stopped": {"en": "the check stopped with {error}; ask your instructor if this persists",
                      "zh": "检查因 {error} 而中止；如果反复出现，请告诉老师"},
    "not_graded_because": {"en": "{name}: not graded, because {why}", "zh": "{name}：未评分，因为{why}"},
    "grader_could_not_run": {"en": "the grader could not run it ({error})", "zh": "评分程序无法运行它（{error}）"},
    # a submitted notebook the grader cannot read; the student reads why
    "nb_folder": {"en": "expected a notebook file but found a folder: {name}",
                  "zh": "这里应当是一个 notebook 文件，却是一个文件夹：{name}"},
    "nb_missing": {"en": "the file {name} does not exist", "zh": "文件 {name} 不存在"},
    "nb_empty": {"en": "{name} is empty (0 bytes)", "zh": "{name} 是空文件（0 字节）"},
    "nb_not_utf8": {"en": "{name} is not UTF-8 text (byte {at} cannot be read); save the notebook again from Jupyter",
                    "zh": "{name} 不是 UTF-8 文本（第 {at} 个字节无法读取）；请在 Jupyter 中重新保存这个 notebook"},
    "nb_not_json": {"en": "{name} is not valid notebook JSON (line {line}: {error}); was it edited in a text editor?",
                    "zh": "{name} 不是有效的 notebook JSON（第 {line} 行：{error}）；是不是用文本编辑器改过？"},
    "nb_no_cells": {"en": "{name} is JSON but not a Jupyter notebook (no cells)",
                    "zh": "{name} 是 JSON，但不是 Jupyter notebook（没有单元格）"},
    "nb_version": {"en": "{name} has notebook format version {version}; this grader reads versions 3 and 4",
                   "zh": "{name} 的 notebook 格式版本是 {version}；评分程序只能读取版本 3 和 4"},
    "nb_unreadable": {"en": "{name} could not be read as a notebook ({error})",
                      "zh": "{name} 无法作为 notebook 读取（{error}）"},
    "nb_no_code": {"en": "the notebook has no code cells to run", "zh": "这个 notebook 没有可运行的代码单元格"},
    "cell_raised": {"en": "! cell {cell} raised {error}", "zh": "! 第 {cell} 个单元格抛出了 {error}"},
    "which_assignment": {"en": "✗ could not tell which assignment this is; pass --assignment NAME (one of {names})",
                         "zh": "✗ 无法判断这是哪一次作业；请加上 --assignment 作业名（可选：{names}）"},
    # what a call to a student's function can end with, before any check looks at a value
    "undefined_fn": {"en": "the notebook does not define `{name}` (was its cell run, renamed or deleted?)",
                     "zh": "notebook 中没有定义 `{name}`（它的单元格运行了吗？是不是被改名或删除了？）"},
    "undefined_fn_cell": {"en": "the notebook does not define `{name}` (was its cell renamed, deleted or left with an "
                                "error?)",
                          "zh": "notebook 中没有定义 `{name}`（它的单元格是不是被改名、删除，或者运行时出错了？）"},
    "not_a_function": {"en": "`{name}` is a {kind}, not a function", "zh": "`{name}` 是 {kind}，不是函数"},
    "not_a_function_cell": {"en": "the notebook defines, but not as a function, `{name}` (was its cell renamed, "
                                  "deleted or left with an error?)",
                            "zh": "notebook 中定义了 `{name}`，但它不是函数（它的单元格是不是被改名、删除，或者运行时出错了？）"},
    "call_timed_out": {"en": "`{name}` did not return within {seconds:g} s (an endless loop?)",
                       "zh": "`{name}` 在 {seconds:g} 秒内没有返回（是不是有死循环？）"},
    "process_stopped": {"en": "the Python process running `{name}` stopped (exit code {code})",
                        "zh": "运行 `{name}` 的 Python 进程停止了（退出码 {code}）"},
    "notebook_dead": {"en": "the notebook's code could not be run (it did not start, or too many cells failed to "
                            "finish)",
                      "zh": "notebook 的代码无法运行（没有启动，或者太多单元格没能运行完）"},
    "result_nested": {"en": "the returned value is nested too deeply or holds too many items",
                      "zh": "返回值嵌套太深或包含的元素太多"},
    "result_shared": {"en": "the returned value shares one container in several places",
                      "zh": "返回值在多处共用了同一个容器"},
    "forbidden_call": {
        "en": "{name} uses {names}, which this exercise asks you not to call: write it yourself with other "
              "operations. The question scores 0 while it does, even when the values are right.",
        "zh": "{name} 用到了 {names}，而这道练习要求不调用它：请用其他运算自己实现。只要还调用它，这道题就得 0 分，"
              "即使数值是对的。"},
    "stub_raised": {"en": "NotImplementedError (the exercise is not written yet: replace the raise with your code)",
                    "zh": "NotImplementedError（这道练习还没有写：请把 raise 换成你的代码）"},
    "stub_not_written": {"en": "not written yet: replace `raise NotImplementedError()` with your code, run its cell, "
                               "then check again",
                         "zh": "尚未完成：请把 `raise NotImplementedError()` 换成你的代码，运行该单元格后再检查"},
    "forbidden_short": {"en": "calls a function it must not", "zh": "调用了不允许调用的函数"},
    "result_too_large": {"en": "the returned value is over {mb} MB", "zh": "返回值超过了 {mb} MB"},
    "result_unreadable": {"en": "the returned value could not be read", "zh": "无法读取返回值"},
    "code_raised": {"en": "your code raised {what}", "zh": "你的代码抛出了异常 {what}"},
    "worst": {"en": "worst element{at}: expected {expected}, got {got}", "zh": "差距最大的元素{at}：期望 {expected}，实际 {got}"},
    "at_index": {"en": " at index {index}", "zh": "（索引 {index}）"},
    "gap": {"en": " (off by {gap}{relative}; allowed there: {atol} + {rtol} x |expected| = {allowed})",
            "zh": "（相差 {gap}{relative}；此处允许的误差：{atol} + {rtol} × |期望值| = {allowed}）"},
    "relative": {"en": ", relative {value}", "zh": "，相对误差 {value}"},
}


def ljust(text: str, width: int) -> str:
    """``text.ljust(width)`` in each of its languages (a column of a table, whatever the language), counting
    the columns a terminal gives each character: a Chinese character takes two."""
    import unicodedata

    def pad(part: str) -> str:
        shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in part)
        return part + " " * max(0, width - shown)

    return _written(lambda lang: pad(in_language(text, lang)))


def _values(values: dict, lang: str) -> dict:
    return {k: in_language(v, lang) if isinstance(v, str) else v for k, v in values.items()}


def say(key: str, **values: object) -> str:
    """The sentence ``key`` in the current language(s), with ``values`` filled in."""
    table = MESSAGES[key]
    return _written(lambda lang: table.get(lang, table["en"]).format(**_values(values, lang)))


def tr(en: str, zh: str, **values: object) -> str:
    """A sentence that belongs to one public check, in both languages where it is written: ``tr("the losses
    should decrease", "损失应当下降")``. Shared sentences go in ``MESSAGES`` (``say``)."""
    return _written(lambda lang: (zh if lang == "zh" else en).format(**_values(values, lang)) if values
                    else (zh if lang == "zh" else en))
