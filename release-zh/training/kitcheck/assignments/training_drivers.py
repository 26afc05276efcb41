"""Drivers of assignment 5 (students see this file): they build the model, loader and optimizer where the
student's code runs, call it, and return plain tensors and numbers (see ``kitcheck.drivers``). Nothing they return
is trusted: the comparisons in ``training_compare`` judge it against references."""
from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ..drivers import seed_torch

LOSSES = {"mse": nn.MSELoss, "cross_entropy": nn.CrossEntropyLoss}


def _linear(weight: torch.Tensor, bias: torch.Tensor) -> nn.Linear:
    model = nn.Linear(weight.shape[1], weight.shape[0]).to(weight.device, weight.dtype)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return model


def _loader(X: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle_seed: int | None = None) -> DataLoader:
    generator = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle_seed is not None,
                      generator=generator)


@contextmanager
def _one_thread():
    """Run tiny models on one CPU thread. Torch's thread pool gains nothing on tensors this small, and when the
    grader runs several sandboxes on few cores its threads wait on each other: a 1 ms step can take 30 ms."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def run_loss_with_loader(fn, X, y, weight, bias, batch_size, loss):
    """``fn(model, loader, loss_fn)`` for an ``nn.Linear`` with the given parameters and a loader over (X, y)."""
    with _one_thread():
        return fn(_linear(weight, bias), _loader(X, y, batch_size), LOSSES[loss]())


def run_accuracy_with_loader(fn, X, y, weight, bias, batch_size):
    """``fn(model, loader)`` for an ``nn.Linear`` classifier with the given parameters."""
    with _one_thread():
        return fn(_linear(weight, bias), _loader(X, y, batch_size))


def run_fit(fn, X, y, weight, bias, batch_size, epochs, loss, lr, momentum=0.0, shuffle_seed=None):
    """``fn(model, loader, loss_fn, optimizer, epochs)``, SGD on an nn.Linear: (its result, weight, bias)."""
    with _one_thread():
        model = _linear(weight, bias)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        losses = fn(model, _loader(X, y, batch_size, shuffle_seed), LOSSES[loss](), optimizer, epochs)
    return losses, model.weight.detach().clone(), model.bias.detach().clone()


def run_fit_classifier(fn, X_train, y_train, classes, batch_size, epochs, lr, seed):
    """``fn`` trains a softmax classifier (SGD, momentum 0.9) on the training set only; returns (its result, weight,
    bias): the grader scores those weights itself, on test data this driver never receives."""
    g = torch.Generator().manual_seed(seed)
    weight = torch.randn(classes, X_train.shape[1], generator=g, dtype=X_train.dtype) * 0.01
    with _one_thread():
        model = _linear(weight, torch.zeros(classes, dtype=X_train.dtype))
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        losses = fn(model, _loader(X_train, y_train, batch_size, shuffle_seed=seed), nn.CrossEntropyLoss(),
                    optimizer, epochs)
    return losses, model.weight.detach().clone(), model.bias.detach().clone()


# ---- fit_with_tensorboard: the driver returns the event files' bytes, parsed where the verdict is made -----
MAX_LOG_BYTES = 4 * 2**20  # what a driver returns of a log folder, at most (a few epochs of scalars take ~1 kB)
EVENT_FILE = re.compile(r"events\.out\.tfevents\.[0-9]{1,6}")  # the names the driver gives the files it returns


@contextmanager
def _writer_watch():
    """Yields (SummaryWriters opened and closed, the writers); their clock stands still: same training, same bytes."""
    from tensorboard.summary.writer import event_file_writer
    from torch.utils.tensorboard import writer as tb_writer

    counts, opened, closed = {"opened": 0, "closed": 0}, [], set()
    cls = tb_writer.SummaryWriter  # the class torch.utils.tensorboard exports
    init, close = cls.__init__, cls.close

    def counting_init(self, *args, **kwargs):
        counts["opened"], _ = counts["opened"] + 1, opened.append(self)
        init(self, *args, **kwargs)

    def counting_close(self):
        counts["closed"] += self not in closed
        closed.add(self)
        close(self)

    modules = (tb_writer, event_file_writer)
    clocks = [m.time for m in modules]
    real = time.time

    def clock() -> float:
        # The writers' own flushing threads keep real time: on a clock standing still, each would spin without
        # waiting, and take the interpreter from the training (1 s for a 20 ms fit).
        return real() if isinstance(threading.current_thread(), event_file_writer._AsyncWriterThread) else 0.0

    cls.__init__, cls.close = counting_init, counting_close
    for m in modules:
        m.time = SimpleNamespace(time=clock)
    try:
        yield counts, opened
    finally:
        cls.__init__, cls.close = init, close
        for m, clock in zip(modules, clocks):
            m.time = clock


def run_fit_with_tensorboard(fn, X_train, y_train, X_test, y_test, weight, bias, batch_size, epochs, loss, lr,
                             momentum=0.0, dropout=None, seed=0):
    """``fn(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir)`` with SGD on
    ``nn.Sequential([nn.Dropout(dropout),] nn.Linear)`` and a fresh log folder. Returns plain data, reading no
    event: the event files' bytes (uint8 tensors, renamed ``events.out.tfevents.<k>``; None past MAX_LOG_BYTES),
    subfolders, the trained weight and bias, the model's calls outside add_graph's tracing (training?, gradients?,
    rows), the SummaryWriters opened and closed, and whether the data tensors are unchanged."""
    import os
    import pathlib
    import tempfile

    data = (X_train, y_train, X_test, y_test)
    before = [t.clone() for t in data]
    forwards = []
    # A folder this process may write: the sandbox may write only its own work folder (its TMPDIR), not /tmp.
    scratch = next((d for d in (os.environ.get("TMPDIR"), tempfile.gettempdir(), os.getcwd())
                    if d and os.path.isdir(d) and os.access(d, os.W_OK)), None)
    with _one_thread(), torch.random.fork_rng(devices=[]), \
            tempfile.TemporaryDirectory(prefix="kit-tb-", dir=scratch) as log_dir:
        seed_torch(seed)  # dropout's masks
        model = nn.Sequential(*([nn.Dropout(dropout)] if dropout else []), _linear(weight, bias))
        model.register_forward_pre_hook(lambda m, args: None if torch.jit.is_tracing() else forwards.append(
            (m.training, torch.is_grad_enabled(), int(args[0].shape[0]))))
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        train_loader, test_loader = _loader(X_train, y_train, batch_size), _loader(X_test, y_test, batch_size)
        with _writer_watch() as (counts, opened):
            fn(model, train_loader, test_loader, LOSSES[loss](), optimizer, epochs, log_dir)
        writers = dict(counts)
        for writer in opened:  # writers left open (counted above) closed now: their events are then all on disk
            writer.close()
        names = sorted(os.listdir(log_dir))
        folders = [n for n in names if os.path.isdir(os.path.join(log_dir, n))]
        events = [n for n in names if n.startswith("events.out.tfevents") and n not in folders]
        size = sum(os.path.getsize(os.path.join(log_dir, n)) for n in events)
        files = None if size > MAX_LOG_BYTES else {
            f"events.out.tfevents.{k}": torch.tensor(list(pathlib.Path(log_dir, name).read_bytes()),
                                                  dtype=torch.uint8) for k, name in enumerate(events)}
    final = model[-1]
    return {"files": files, "folders": folders, "weight": final.weight.detach().clone(),
            "bias": final.bias.detach().clone(), "forwards": forwards, "writers": writers,
            "data_unchanged": all(torch.equal(a, b) for a, b in zip(before, data))}


def _watched(model: nn.Module, call):
    """(``call()``, forwards that tracked gradients, whether the parameters and their .grad, set here to known
    values, are unchanged): evaluation must change neither (the next optimizer step would use that .grad)."""
    grad_forwards = []
    model.register_forward_pre_hook(lambda module, args: grad_forwards.append(torch.is_grad_enabled()))
    before = []
    for p in model.parameters():
        p.grad = grad = torch.full_like(p, 0.5)
        before.append((p.detach().clone(), grad.clone()))
    result = call()
    unchanged = all(torch.equal(p.detach(), w) and p.grad is not None and torch.equal(p.grad, g)
                    for p, (w, g) in zip(model.parameters(), before))
    return result, sum(grad_forwards), unchanged


def run_evaluation_watched(fn, X, y, weight, bias, batch_size, loss=None):
    """``run_loss_with_loader`` (without ``loss``: ``run_accuracy_with_loader``) with ``_watched``'s report."""
    with _one_thread():
        model = _linear(weight, bias)
        args = (model, _loader(X, y, batch_size)) + ((LOSSES[loss](),) if loss else ())
        return _watched(model, lambda: fn(*args))


def describe_dataset(cls, features, labels, batch_size):
    """What a student's Dataset class does: its length, every item, the last item by index -1, the batches a
    DataLoader makes from it, and the items of ``dataset + cls(features.flip(0), labels.flip(0))`` (a torch
    Dataset makes a ConcatDataset of the two; None when ``+`` is not supported)."""
    with _one_thread():
        ds = cls(features, labels)
        n = len(ds)
        report = (n, [ds[i] for i in range(n)], ds[-1] if n else None, list(DataLoader(ds, batch_size=batch_size)))
        try:
            joined = ds + cls(features.flip(0), labels.flip(0))
        except TypeError:
            return (*report, None)
        return (*report, [joined[i] for i in range(len(joined))])


def build_dataset(cls, features, labels):
    """Instantiates the student's Dataset class (for checks that it raises); returns its length."""
    return len(cls(features, labels))
