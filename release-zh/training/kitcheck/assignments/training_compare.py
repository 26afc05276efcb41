"""Comparisons of assignment 5 (students see this file): each ``expect_*`` or ``check_*`` judges what a student's
function or a driver returned and raises a ``CheckFailure`` that says what differs. The public checks
(``training.py``) and the hidden tests both use them; expected values come from stored probes or from properties
(shapes, exact relations, statistics), never from code written here. ``indexed_data`` makes the inputs whose rows
``traced_indices`` traces back."""
from __future__ import annotations

import math
from typing import Any, Mapping

import torch

from ..compare import CheckFailure, Tolerance, expect_equal, expect_tensor, show, tolerance
from ..i18n import tr
from .training_drivers import EVENT_FILE, MAX_LOG_BYTES


# ---- fit_with_tensorboard: the log, read back where the verdict is made, and the model's modes -------------
TB_TAGS = ("loss/train", "loss/test")  # the tags the exercise asks for: the epoch's training loss, the test loss


def read_event_files(q: str, files: Any, inputs: Mapping[str, Any]):
    """The scalars and graph in event files a driver returned (``{name: uint8 tensor}``), read with TensorBoard's
    own EventAccumulator in a temporary folder of the caller (the grader, or the student's notebook): returns
    ``({tag: [(step, value), ...]}, the GraphDef or None)``. File names are checked before anything is written."""
    import pathlib
    import tempfile

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    if files is None:
        raise CheckFailure(q, tr("the log folder holds more than {mb} MB of events; log two scalars per epoch and "
                                 "the graph once",
                                 "日志文件夹中的事件超过了 {mb} MB；每一轮只需记录两个标量，计算图只记录一次",
                                 mb=MAX_LOG_BYTES // 2**20), inputs)
    if type(files) is not dict or not all(type(k) is str and EVENT_FILE.fullmatch(k) and type(v) is torch.Tensor
                                          and v.dtype == torch.uint8 and v.ndim == 1 for k, v in files.items()):
        raise CheckFailure(q, tr("the log folder could not be read back", "无法读回日志文件夹"), inputs)
    if not files:
        raise CheckFailure(q, tr("no event file was written in log_dir: create the writer with SummaryWriter(log_dir)",
                                 "log_dir 中没有写入任何事件文件：请用 SummaryWriter(log_dir) 创建 writer"), inputs)
    with tempfile.TemporaryDirectory(prefix="kit-events-") as folder:
        for name, content in files.items():
            pathlib.Path(folder, name).write_bytes(content.cpu().numpy().tobytes())
        accumulator = EventAccumulator(folder, size_guidance={"scalars": 0})
        try:
            accumulator.Reload()
        except Exception as exc:  # a damaged file: the reader's own error, in words
            raise CheckFailure(q, tr("TensorBoard cannot read the event files: {kind}: {exc}",
                                     "TensorBoard 无法读取事件文件：{kind}: {exc}", kind=type(exc).__name__, exc=exc),
                               inputs) from None
        tags = accumulator.Tags()
        scalars = {t: [(e.step, e.value) for e in accumulator.Scalars(t)] for t in tags["scalars"]}
        graph = accumulator.Graph() if tags["graph"] else None
    return scalars, graph


def expect_tensorboard_log(q: str, got: Any, inputs: Mapping[str, Any], epochs: int) -> tuple[list, list]:
    """The log's shape: every writer closed, the two tags with steps 0 .. epochs - 1 (each once), the model's
    graph; returns the logged (training losses, test losses)."""
    if type(got) is not dict or not {"files", "writers", "forwards", "weight", "bias"} <= set(got):
        raise CheckFailure(q, tr("the training could not be inspected", "无法检查训练过程"), inputs, got=got)
    writers = got["writers"]
    if writers["opened"] == 0:
        raise CheckFailure(q, tr("no SummaryWriter was created: log with SummaryWriter(log_dir)",
                                 "没有创建 SummaryWriter：请用 SummaryWriter(log_dir) 记录日志"), inputs)
    if writers["closed"] < writers["opened"]:
        raise CheckFailure(q, tr("a SummaryWriter was never closed, so events may never reach the disk: call "
                                 "writer.close() at the end (or use `with SummaryWriter(log_dir) as writer:`)",
                                 "有一个 SummaryWriter 从未关闭，事件可能永远写不到磁盘上：请在最后调用 writer.close()"
                                 "（或使用 `with SummaryWriter(log_dir) as writer:`）"), inputs)
    scalars, graph = read_event_files(q, got["files"], inputs)
    detail = tr("subfolders {folders} of log_dir hold events (add_scalars writes there)",
                "log_dir 的子文件夹 {folders} 中有事件（add_scalars 会写到那里）",
                folders=got["folders"]) if got.get("folders") else ""
    missing = [t for t in TB_TAGS if t not in scalars]
    if missing:
        raise CheckFailure(q, tr("the log has no scalars under the tag(s) {missing}; it has {tags}: log with "
                                 "writer.add_scalar({first!r}, value, epoch) and the same for {second!r}",
                                 "日志中没有标签 {missing} 下的标量；它只有 {tags}：请用 writer.add_scalar({first!r}, "
                                 "value, epoch) 记录，{second!r} 也一样", missing=missing, tags=sorted(scalars),
                                 first=TB_TAGS[0], second=TB_TAGS[1]),
                           inputs, detail=detail)
    curves = []
    for tag in TB_TAGS:
        steps = [step for step, _ in scalars[tag]]
        if steps != list(range(epochs)):
            raise CheckFailure(q, tr("the steps of {tag!r} should be 0, 1, ..., {last} (the epoch, counted from 0, "
                                     "once each), but they are {steps}",
                                     "{tag!r} 的步数应为 0, 1, ..., {last}（从 0 开始计数的轮次，每轮一次），实际是 {steps}",
                                     tag=tag, last=epochs - 1, steps=steps), inputs)
        curves.append([value for _, value in scalars[tag]])
    if graph is None or not any("Linear" in node.name for node in graph.node):
        raise CheckFailure(q, tr("the log holds no graph of the model: call writer.add_graph(model, X_batch) once, "
                                 "with a batch of inputs",
                                 "日志中没有模型的计算图：请用一个输入批量调用一次 writer.add_graph(model, X_batch)"),
                           inputs)
    if got.get("data_unchanged") is not True:
        raise CheckFailure(q, tr("the training or test data changed during the call: leave the loaders' tensors as "
                                 "they are", "调用期间训练数据或测试数据被改变了：请不要修改数据加载器中的张量"), inputs)
    return curves[0], curves[1]


def expect_train_eval_modes(q: str, got: Any, inputs: Mapping[str, Any], n_train: int, epochs: int) -> None:
    """Training steps run in training mode with gradients, on every training sample once per epoch; the test
    loss runs in evaluation mode without gradients (judged from the driver's record of the model's calls)."""
    forwards = got["forwards"]
    if type(forwards) is not list or not all(type(f) is tuple and len(f) == 3 for f in forwards):
        raise CheckFailure(q, tr("the training could not be inspected", "无法检查训练过程"), inputs, got=forwards)
    if any(not training for training, grad, _ in forwards if grad):
        raise CheckFailure(q, tr("the model ran with gradients while in evaluation mode: switch back with "
                                 "model.train() after measuring the test loss, and measure it under torch.no_grad()",
                                 "模型在评估模式下带着梯度运行了：计算完测试损失后请用 model.train() 切换回训练模式，"
                                 "并在 torch.no_grad() 下计算测试损失"), inputs)
    if any(training for training, grad, _ in forwards if not grad):
        raise CheckFailure(q, tr("the test loss was measured in training mode (dropout was active): call model.eval() "
                                 "before it and model.train() after",
                                 "测试损失是在训练模式下计算的（Dropout 仍然生效）：计算前请调用 model.eval()，"
                                 "计算后调用 model.train()"), inputs)
    rows = sum(r for _, grad, r in forwards if grad)
    if rows != epochs * n_train:
        raise CheckFailure(q, tr("with gradients enabled the model saw {rows} samples; training should show it the "
                                 "{n_train} training samples once per epoch ({total}): measure the test loss under "
                                 "torch.no_grad()",
                                 "在启用梯度的情况下，模型看到了 {rows} 个样本；训练应让它每一轮看一遍 {n_train} 个训练"
                                 "样本（共 {total} 个）：请在 torch.no_grad() 下计算测试损失",
                                 rows=rows, n_train=n_train, total=epochs * n_train), inputs)


# ---- numbers, pairs and the data checks (generators, batches, splits) --------------------------------------
def as_number(q: str, got: Any, inputs: Mapping[str, Any], what: str | None = None) -> float:
    """A returned number (a Python float or int, or a 0-d tensor) as a float; anything else fails."""
    if type(got) in (float, int):
        return float(got)
    what = what or tr("the result", "结果")
    if type(got) is torch.Tensor and got.numel() == 1 and got.ndim == 0:
        raise CheckFailure(q, tr("{what} should be a Python float, but it is a 0-d tensor ({got}): a tensor can keep "
                                 "its graph, and its memory, alive; return .item()",
                                 "{what}应当是 Python 浮点数，但它是零维张量（{got}）：张量会让它的计算图和所占内存一直"
                                 "留着；请返回 .item()", what=what, got=show(got)), inputs)
    raise CheckFailure(q, tr("{what} should be a number (a Python float: use .item()), but it is {got}",
                             "{what}应当是一个数（Python 浮点数：请用 .item()），但它是 {got}", what=what, got=show(got)),
                       inputs)


def expect_number(q: str, got: Any, expected: float, inputs: Mapping[str, Any], *, rtol: float, atol: float,
                  what: str | None = None) -> None:
    what = what or tr("the result", "结果")
    value = as_number(q, got, inputs, what)
    if not math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        raise CheckFailure(q, tr("{what} is wrong", "{what}不对", what=what), inputs, expected, value)


def expect_pair(q: str, got: Any, inputs: Mapping[str, Any], what: str) -> tuple[Any, Any]:
    if type(got) not in (tuple, list) or len(got) != 2:
        raise CheckFailure(q, tr("{what} should be a pair (features, labels), but it is {got}",
                                 "{what}应当是一对 (特征, 标签)，但它是 {got}", what=what, got=show(got)), inputs)
    for part in got:
        if type(part) is not torch.Tensor:
            raise CheckFailure(q, tr("{what} should hold two tensors, but it is {got}",
                                     "{what}应当包含两个张量，但它是 {got}", what=what, got=show(got)), inputs)
    return got[0], got[1]


def indexed_data(n: int, d: int, dtype: torch.dtype = torch.float32, device: str = "cpu") -> tuple:
    """Features whose rows are all different (row i starts with i * d) and labels 7 i + 3, so any subset of
    rows can be traced back to its indices and checked for alignment."""
    X = torch.arange(n * d, dtype=dtype).reshape(n, d).to(device)
    y = (torch.arange(n) * 7 + 3).to(device)
    return X, y


def traced_indices(q: str, Xb: Any, yb: Any, X: torch.Tensor, inputs: Mapping[str, Any], what: str) -> torch.Tensor:
    """The original indices of a returned (features, labels) part, checking that rows and labels still match."""
    for part, name in ((Xb, tr("features", "特征")), (yb, tr("labels", "标签"))):
        if type(part) is not torch.Tensor:
            raise CheckFailure(q, tr("the {name} of {what} should be a tensor, but they are {got}",
                                     "{what}的{name}应当是张量，但它们是 {got}", name=name, what=what, got=show(part)),
                               inputs)
        if part.device != X.device:
            raise CheckFailure(q, tr("the {name} of {what} are on '{device}', the input was on '{want}'",
                                     "{what}的{name}在 '{device}' 上，而输入在 '{want}' 上", name=name, what=what,
                                     device=part.device, want=X.device), inputs)
    if Xb.dtype != X.dtype or yb.dtype != torch.int64:
        raise CheckFailure(q, tr("{what} changed the dtypes: features {fd} (expected {xd}), labels {ld} (expected "
                                 "torch.int64)",
                                 "{what}改变了数据类型：特征是 {fd}（期望 {xd}），标签是 {ld}（期望 torch.int64）",
                                 what=what, fd=Xb.dtype, xd=X.dtype, ld=yb.dtype), inputs)
    if Xb.ndim != 2 or Xb.shape[1] != X.shape[1] or yb.ndim != 1 or yb.shape[0] != Xb.shape[0]:
        raise CheckFailure(q, tr("{what} has features of shape {fs} and labels of shape {ls}; expected (k, {d}) and "
                                 "(k,)", "{what}的特征形状为 {fs}，标签形状为 {ls}；期望 (k, {d}) 和 (k,)",
                                 what=what, fs=tuple(Xb.shape), ls=tuple(yb.shape), d=X.shape[1]), inputs)
    idx = ((yb.cpu() - 3) // 7).long()
    if bool(((yb.cpu() - 3) % 7 != 0).any()) or bool((idx < 0).any()) or bool((idx >= len(X)).any()):
        raise CheckFailure(q, tr("{what} holds labels that are not in the input", "{what}中有输入里没有的标签",
                                 what=what), inputs, got=yb)
    if not torch.equal(Xb.cpu(), X.cpu()[idx]):
        raise CheckFailure(q, tr("in {what}, the feature rows no longer match their labels (row i of the features "
                                 "must go with label i: shuffle both with the same permutation)",
                                 "{what}中的特征行和标签对不上了（特征的第 i 行必须对应第 i 个标签：请用同一个排列打乱两者）",
                                 what=what), inputs, expected=X.cpu()[idx], got=Xb)
    return idx


def expect_permutation(q: str, idx: torch.Tensor, n: int, inputs: Mapping[str, Any], what: str) -> None:
    counts = torch.bincount(idx, minlength=n) if len(idx) else torch.zeros(n, dtype=torch.long)
    if len(idx) != n or not bool((counts == 1).all()):
        missing = (counts == 0).nonzero().flatten().tolist()[:8]
        repeated = (counts > 1).nonzero().flatten().tolist()[:8]
        raise CheckFailure(q, tr("{what} should hold every sample exactly once; it holds {k} samples of {n} "
                                 "(missing indices {missing}, repeated {repeated})",
                                 "{what}应当恰好包含每个样本一次；它包含 {n} 个样本中的 {k} 个（缺少索引 {missing}，"
                                 "重复索引 {repeated}）", what=what, k=len(idx), n=n, missing=missing,
                                 repeated=repeated), inputs)


def check_batches(q: str, got: Any, X: torch.Tensor, batch_size: int, inputs: Mapping[str, Any]) -> torch.Tensor:
    """Checks data_split_batches' result for X, y from ``indexed_data``; returns the order of the samples."""
    n = len(X)
    if type(got) not in (list, tuple):
        raise CheckFailure(q, tr("the result should be a list of (features, labels) pairs, but it is {got}",
                                 "结果应当是由 (特征, 标签) 对组成的列表，但它是 {got}", got=show(got)), inputs)
    sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    got_sizes = [len(b[1]) if type(b) in (tuple, list) and len(b) == 2 and type(b[1]) is torch.Tensor and b[1].ndim
                 else None for b in got]
    if got_sizes != sizes:
        raise CheckFailure(q, tr("the batches have the wrong sizes (every batch holds batch_size samples, the last one "
                                 "the rest)", "批量的大小不对（每个批量有 batch_size 个样本，最后一个批量装剩下的）"),
                           inputs, expected=sizes, got=got_sizes)
    order = [traced_indices(q, *expect_pair(q, b, inputs, tr("batch {i}", "第 {i} 个批量", i=i)), X, inputs,
                            tr("batch {i}", "第 {i} 个批量", i=i))
             for i, b in enumerate(got)]
    idx = torch.cat(order) if order else torch.zeros(0, dtype=torch.long)
    expect_permutation(q, idx, n, inputs, tr("the batches together", "所有批量合起来"))
    return idx


def check_split(q: str, got: Any, X: torch.Tensor, train_fraction: float, inputs: Mapping[str, Any]) -> torch.Tensor:
    """Checks train_test_split's result for X, y from ``indexed_data``; returns the order of the samples."""
    n = len(X)
    if type(got) not in (tuple, list) or len(got) != 4:
        raise CheckFailure(q, tr("should return (X_train, X_test, y_train, y_test), but it returned {got}",
                                 "应当返回 (X_train, X_test, y_train, y_test)，但它返回了 {got}", got=show(got)), inputs)
    X_train, X_test, y_train, y_test = got
    n_train = int(n * train_fraction)
    for name, part, size in (("X_train", X_train, n_train), ("X_test", X_test, n - n_train)):
        if type(part) is not torch.Tensor or part.ndim != 2:
            raise CheckFailure(q, tr("{name} should be a 2-D tensor of features; the result must be (X_train, X_test, "
                                     "y_train, y_test), in that order",
                                     "{name} 应当是二维的特征张量；结果必须按 (X_train, X_test, y_train, y_test) 的顺序返回",
                                     name=name), inputs, got=part)
        if len(part) != size:
            raise CheckFailure(q, tr("{name} has {rows} rows; it should have {size}: the training set takes "
                                     "int(n * train_fraction) = int({n} * {fraction}) = {n_train} samples, the test set "
                                     "the rest",
                                     "{name} 有 {rows} 行；应当有 {size} 行：训练集取 int(n * train_fraction) = "
                                     "int({n} * {fraction}) = {n_train} 个样本，测试集取其余的样本",
                                     name=name, rows=len(part), size=size, n=n, fraction=train_fraction,
                                     n_train=n_train), inputs)
    order = [traced_indices(q, X_train, y_train, X, inputs, tr("the training set (X_train, y_train)",
                                                               "训练集 (X_train, y_train)")),
             traced_indices(q, X_test, y_test, X, inputs, tr("the test set (X_test, y_test)", "测试集 (X_test, y_test)"))]
    idx = torch.cat(order)
    expect_permutation(q, idx, n, inputs, tr("the training and test sets together", "训练集和测试集合起来"))
    return idx


def check_regression(q: str, got: Any, inputs: Mapping[str, Any], *, exact: bool) -> tuple:
    """Shapes, dtype and device of make_regression's (X, y); with ``exact`` (noise 0), y = X @ w + b exactly."""
    n, w, b = inputs["n"], inputs["w"], inputs["b"]
    if type(got) not in (tuple, list) or len(got) != 2:
        raise CheckFailure(q, tr("should return (X, y), but it returned {got}", "应当返回 (X, y)，但它返回了 {got}",
                                 got=show(got)), inputs)
    X, y = got
    for name, t, shape in (("X", X, (n, len(w))), ("y", y, (n,))):
        if type(t) is not torch.Tensor or tuple(t.shape) != shape:
            raise CheckFailure(q, tr("{name} should be a tensor of shape {shape}, but it is {got}",
                                     "{name} 应当是形状为 {shape} 的张量，但它是 {got}", name=name, shape=shape,
                                     got=show(t)), inputs)
        if t.dtype != w.dtype or t.device != w.device:
            raise CheckFailure(q, tr("{name} has dtype {dtype} on '{device}'; it should have w's dtype and device "
                                     "({wd} on '{wdev}')",
                                     "{name} 的数据类型是 {dtype}，在 '{device}' 上；它应当与 w 的数据类型和设备相同"
                                     "（{wd}，在 '{wdev}' 上）", name=name, dtype=t.dtype, device=t.device, wd=w.dtype,
                                     wdev=w.device), inputs)
    if exact:
        expected = X.detach().cpu().double() @ w.cpu().double() + b
        expect_tensor(q, y, expected, inputs, what=tr("y for noise = 0 (it should be exactly X @ w + b)",
                                                      "noise = 0 时的 y（它应当恰好等于 X @ w + b）"),
                      **tolerance(w.dtype, reduction=True))
    return X, y


def regression_stats(X: torch.Tensor, y: torch.Tensor) -> dict:
    """Least-squares fit of y on [X, 1] (float64), the residuals' std, and X's column means and stds."""
    X, y = X.detach().cpu().double(), y.detach().cpu().double()
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)
    coef = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
    residual = y - A @ coef
    return {"w": coef[:-1], "b": float(coef[-1]), "noise": float(residual.std()),
            "mean": X.mean(dim=0), "std": X.std(dim=0)}


def expect_regression_stats(q: str, X: torch.Tensor, y: torch.Tensor, inputs: Mapping[str, Any]) -> None:
    """X standard normal, y = X @ w + b + noise * normal: checked to about 6 standard errors."""
    n, w, b, noise = inputs["n"], inputs["w"], inputs["b"], inputs["noise"]
    s = regression_stats(X, y)
    se = 1 / math.sqrt(n)
    if float((s["mean"]).abs().max()) > 6 * se or float((s["std"] - 1).abs().max()) > 6 * se:
        raise CheckFailure(q, tr("the columns of X should be standard normal (mean 0, std 1; use torch.randn)",
                                 "X 的各列应当服从标准正态分布（均值 0，标准差 1；请用 torch.randn）"), inputs,
                           detail=tr("their means are {means}, their stds {stds}", "各列的均值为 {means}，标准差为 {stds}",
                                     means=show(s["mean"]), stds=show(s["std"])))
    if abs(s["noise"] - noise) > 6 * noise * se + 1e-6:
        raise CheckFailure(q, tr("the noise y - (X @ w + b) should have std {noise} (noise * torch.randn)",
                                 "噪声 y - (X @ w + b) 的标准差应为 {noise}（noise * torch.randn）", noise=noise), inputs,
                           detail=tr("its std is {std:.4g}", "它的标准差是 {std:.4g}", std=s["noise"]))
    slack = 8 * noise * se + 1e-6
    if float((s["w"] - w.cpu().double()).abs().max()) > slack or abs(s["b"] - b) > slack:
        raise CheckFailure(q, tr("least squares on (X, y) does not recover w and b: y should be X @ w + b + noise",
                                 "对 (X, y) 做最小二乘法得不到 w 和 b：y 应为 X @ w + b + 噪声"), inputs,
                           detail=tr("least squares gives w = {w}, b = {b:.4g}", "最小二乘法给出 w = {w}，b = {b:.4g}",
                                     w=show(s["w"]), b=s["b"]))


def check_classification(q: str, got: Any, inputs: Mapping[str, Any]) -> tuple:
    """Shapes, dtypes, device and labels of make_classification's (X, y)."""
    n, centers = inputs["n_per_class"], inputs["centers"]
    k, d = centers.shape
    if type(got) not in (tuple, list) or len(got) != 2:
        raise CheckFailure(q, tr("should return (X, y), but it returned {got}", "应当返回 (X, y)，但它返回了 {got}",
                                 got=show(got)), inputs)
    X, y = got
    if type(X) is not torch.Tensor or tuple(X.shape) != (k * n, d):
        raise CheckFailure(q, tr("X should be a tensor of shape ({rows}, {d}), but it is {got}",
                                 "X 应当是形状为 ({rows}, {d}) 的张量，但它是 {got}", rows=k * n, d=d, got=show(X)),
                           inputs)
    if X.dtype != centers.dtype or X.device != centers.device:
        raise CheckFailure(q, tr("X has dtype {dtype} on '{device}', expected {want} on '{want_device}'",
                                 "X 的数据类型是 {dtype}，在 '{device}' 上；期望 {want}，在 '{want_device}' 上",
                                 dtype=X.dtype, device=X.device, want=centers.dtype, want_device=centers.device),
                           inputs)
    expected_y = torch.arange(k, device=centers.device).repeat_interleave(n)
    expect_tensor(q, y, expected_y, inputs, dtype=torch.int64, device=centers.device,
                  what=tr("y (n_per_class labels 0, then n_per_class labels 1, ...)",
                          "y（先是 n_per_class 个标签 0，然后是 n_per_class 个标签 1，依此类推）"))
    return X, y


def expect_class_stats(q: str, X: torch.Tensor, inputs: Mapping[str, Any]) -> None:
    """Class c's rows are centers[c] + std * standard normal: checked to about 6 standard errors."""
    n, centers, std = inputs["n_per_class"], inputs["centers"], inputs["std"]
    k, d = centers.shape
    blocks = X.detach().cpu().double().reshape(k, n, d)
    means, stds = blocks.mean(dim=1), blocks.std(dim=1)
    se = 1 / math.sqrt(n)
    if float((means - centers.cpu().double()).abs().max()) > 6 * std * se + 1e-6:
        raise CheckFailure(q, tr("the mean of each class's rows should be its center",
                                 "每个类别各行的均值应当是它的中心"), inputs,
                           detail=tr("the class means are {means}", "各类别的均值为 {means}", means=show(means)))
    if float((stds - std).abs().max()) > 6 * std * se + 1e-6:
        raise CheckFailure(q, tr("each class's rows should spread around its center with std {std} in every "
                                 "coordinate (std * torch.randn)",
                                 "每个类别的各行应当在每个坐标上以标准差 {std} 分布在其中心周围（std * torch.randn）",
                                 std=std), inputs, detail=tr("the stds are {stds}", "标准差为 {stds}", stds=show(stds)))
    if d > 1 and std > 0:
        noise = (blocks - centers.cpu().double().unsqueeze(1)).reshape(k * n, d)
        corr = torch.corrcoef(noise.T)
        worst = float((corr - torch.eye(d, dtype=corr.dtype)).abs().max())
        if worst > 6 / math.sqrt(n * k):
            raise CheckFailure(q, tr("the noise of a row is the same in every coordinate (correlated features): draw "
                                     "one standard normal per row and coordinate, shape (k * n_per_class, d)",
                                     "一行的噪声在每个坐标上都相同（特征相关）：请为每一行的每个坐标各生成一个标准正态"
                                     "随机数，形状为 (k * n_per_class, d)"), inputs,
                               detail=tr("the largest correlation between two coordinates' noise is {worst:.3g}",
                                         "两个坐标的噪声之间最大的相关系数是 {worst:.3g}", worst=worst))
    if k > 1 and std > 0:
        residuals = (blocks - centers.cpu().double().unsqueeze(1)).reshape(k, n * d)
        corr = torch.corrcoef(residuals)
        worst = float((corr - torch.eye(k, dtype=corr.dtype)).abs().max())
        if worst > 6 / math.sqrt(n * d):
            raise CheckFailure(q, tr("the classes' noise is correlated: draw fresh noise for every class (one "
                                     "torch.randn for all rows, or one per class)",
                                     "各类别的噪声是相关的：请为每个类别重新生成噪声（对所有行调用一次 torch.randn，"
                                     "或每个类别调用一次）"), inputs,
                               detail=tr("the largest correlation between two classes' noise is {worst:.3g}",
                                         "两个类别的噪声之间最大的相关系数是 {worst:.3g}", worst=worst))


# ---- training loops and datasets ---------------------------------------------------------------------------
def expect_fit(q: str, got: Any, expected: tuple, inputs: Mapping[str, Any], dtype: torch.dtype) -> None:
    """fit's epoch losses and the trained parameters against the float64 reference loop's."""
    losses, weight, bias = got
    want_losses, want_weight, want_bias = expected
    if type(losses) not in (list, tuple) or len(losses) != len(want_losses):
        raise CheckFailure(q, tr("fit should return a list of {k} numbers (one mean training loss per epoch), but it "
                                 "returned {got}",
                                 "fit 应当返回由 {k} 个数组成的列表（每一轮一个平均训练损失），但它返回了 {got}",
                                 k=len(want_losses), got=show(losses)), inputs)
    tol: Tolerance = {"rtol": 1e-7, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 2e-4, "atol": 1e-5}
    expect_tensor(q, weight, want_weight, inputs, device=inputs["X"].device,
                  what=tr("the trained weight", "训练后的权重"), **tol)
    expect_tensor(q, bias, want_bias, inputs, device=inputs["X"].device, what=tr("the trained bias", "训练后的偏置"),
                  **tol)
    got_losses = [as_number(q, v, inputs, tr("the loss of epoch {i}", "第 {i} 轮的损失", i=i + 1))
                  for i, v in enumerate(losses)]
    # Reported losses may be summed in float32 even for a float64 model: judge them to float32 precision.
    expect_tensor(q, torch.tensor(got_losses, dtype=torch.float64), torch.tensor(want_losses, dtype=torch.float64),
                  inputs, what=tr("the list of epoch losses (each the mean per-sample loss seen during that epoch)",
                                  "每一轮损失的列表（每个值是这一轮中每个样本损失的平均值）"),
                  rtol=2e-4 if dtype == torch.float32 else 1e-5, atol=1e-6)


def expect_dataset(q: str, got: Any, X: torch.Tensor, y: torch.Tensor, batch_size: int, inputs: Mapping[str, Any]):
    n = len(X)
    if type(got) is not tuple or len(got) != 5:
        raise CheckFailure(q, tr("the dataset could not be inspected", "无法检查这个数据集"), inputs, got=got)
    length, items, last, batches, joined = got
    expect_equal(q, length, n, inputs, what=tr("len(dataset)", "len(dataset)"))
    # Counted here, not taken on trust: every item, and every batch a DataLoader makes.
    expect_equal(q, len(items) if type(items) is list else items, n, inputs,
                 what=tr("the number of items read", "读到的样本个数"))
    n_batches = -(-n // batch_size)
    expect_equal(q, len(batches) if type(batches) is list else batches, n_batches, inputs,
                 what=tr("the number of batches of DataLoader(dataset, batch_size={b})",
                         "DataLoader(dataset, batch_size={b}) 的批量个数", b=batch_size))
    for i, item in enumerate(items):
        f, label = expect_pair(q, item, inputs, f"dataset[{i}]")
        expect_tensor(q, f, X[i], inputs, dtype=X.dtype, device=X.device,
                      what=tr("the features part of dataset[{i}]", "dataset[{i}] 的特征部分", i=i))
        expect_tensor(q, label, y[i], inputs, dtype=y.dtype, device=y.device,
                      what=tr("the label part of dataset[{i}]", "dataset[{i}] 的标签部分", i=i))
    if n:
        f, label = expect_pair(q, last, inputs, "dataset[-1]")
        expect_tensor(q, f, X[-1], inputs, dtype=X.dtype, device=X.device,
                      what=tr("the features part of dataset[-1]", "dataset[-1] 的特征部分"))
    for i, batch in enumerate(batches):
        fb, lb = expect_pair(q, batch, inputs, tr("batch {i} of DataLoader(dataset, batch_size={b})",
                                                  "DataLoader(dataset, batch_size={b}) 的第 {i} 个批量", i=i,
                                                  b=batch_size))
        rows = slice(i * batch_size, (i + 1) * batch_size)
        expect_tensor(q, fb, X[rows], inputs, dtype=X.dtype, device=X.device,
                      what=tr("the features part of batch {i}", "第 {i} 个批量的特征部分", i=i))
        expect_tensor(q, lb, y[rows], inputs, dtype=y.dtype, device=y.device,
                      what=tr("the labels part of batch {i}", "第 {i} 个批量的标签部分", i=i))
    # A torch Dataset supports `+` (a ConcatDataset): judged by the items it gives, for a second, reversed dataset.
    if type(joined) is not list or len(joined) != 2 * n:
        raise CheckFailure(q, tr("PairDataset should subclass torch.utils.data.Dataset (then dataset + other_dataset "
                                 "gives a ConcatDataset of both)",
                                 "PairDataset 应当继承 torch.utils.data.Dataset（这样 dataset + other_dataset 会得到"
                                 "两者拼接而成的 ConcatDataset）"), inputs)
    X2, y2 = torch.cat([X, X.flip(0)]), torch.cat([y, y.flip(0)])
    joined_name = "dataset + PairDataset(features.flip(0), labels.flip(0))"
    for i, item in enumerate(joined):
        f, label = expect_pair(q, item, inputs, tr("item {i} of {d}", "{d} 的第 {i} 个样本", i=i, d=joined_name))
        expect_tensor(q, f, X2[i], inputs, dtype=X.dtype, device=X.device,
                      what=tr("the features part of item {i} of {d}", "{d} 的第 {i} 个样本的特征部分", i=i,
                              d=joined_name))
        expect_tensor(q, label, y2[i], inputs, dtype=y.dtype, device=y.device,
                      what=tr("the label part of item {i} of {d}", "{d} 的第 {i} 个样本的标签部分", i=i,
                              d=joined_name))


def expect_logged_losses(q: str, got: Any, expected: tuple, inputs: Mapping[str, Any], dtype: torch.dtype) -> None:
    """fit_with_tensorboard's log and trained parameters against the float64 reference loop's (train losses,
    test losses, weight, bias). Logged values are float32 (TensorBoard stores scalars so)."""
    want_train, want_test, want_weight, want_bias = expected
    train, test = expect_tensorboard_log(q, got, inputs, len(want_train))
    tol: Tolerance = {"rtol": 1e-7, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 2e-4, "atol": 1e-5}
    expect_tensor(q, got["weight"], want_weight, inputs, device=inputs["X_train"].device,
                  what=tr("the trained weight", "训练后的权重"), **tol)
    expect_tensor(q, got["bias"], want_bias, inputs, device=inputs["X_train"].device,
                  what=tr("the trained bias", "训练后的偏置"), **tol)
    logged: Tolerance = {"rtol": 2e-4 if dtype == torch.float32 else 2e-6, "atol": 1e-6}
    expect_tensor(q, torch.tensor(train, dtype=torch.float64), torch.tensor(want_train, dtype=torch.float64), inputs,
                  what=tr("the values logged under {tag!r} (each epoch's mean per-sample training loss, from the "
                          "batch losses of that epoch)",
                          "记录在 {tag!r} 下的值（每一轮中每个样本训练损失的平均值，由这一轮的批量损失算出）",
                          tag=TB_TAGS[0]), **logged)
    expect_tensor(q, torch.tensor(test, dtype=torch.float64), torch.tensor(want_test, dtype=torch.float64), inputs,
                  what=tr("the values logged under {tag!r} (the mean per-sample test loss after each epoch's "
                          "training)", "记录在 {tag!r} 下的值（每一轮训练之后，测试集上每个样本损失的平均值）",
                          tag=TB_TAGS[1]), **logged)
