"""Assignment 7, "Batch norm and learning-rate schedules": the grader's answers (never shipped).

torch itself is the oracle here: F.batch_norm in training and eval mode, nn.BatchNorm1d/2d, and
torch.optim.lr_scheduler's schedulers stepped epoch by epoch. These wrappers give them the questions'
signatures (or turn a scheduler into its list of learning rates), which is why they stay on the grader side.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import lr_scheduler


def reference_batch_norm_train(x, running_mean, running_var, weight, bias, momentum, eps):
    """torch's own batch norm in training mode, returning the updated running statistics."""
    running_mean, running_var = running_mean.clone(), running_var.clone()
    out = F.batch_norm(x, running_mean, running_var, weight, bias, True, momentum, eps)
    return out, running_mean, running_var


def reference_batch_norm_eval(x, running_mean, running_var, weight, bias, eps):
    return F.batch_norm(x, running_mean, running_var, weight, bias, False, 0.1, eps)


def torch_batch_norm_class(ndim: int):
    return nn.BatchNorm2d if ndim == 4 else nn.BatchNorm1d


def torch_lrs(make_scheduler, epochs: int, base_lr: float) -> list[float]:
    """The learning rates torch's scheduler gives in epochs 0, 1, ..., stepping it once per epoch."""
    p = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([p], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def torch_warmup_cosine(warmup_epochs, total_epochs, base_lr):
    """Linear warm-up then cosine decay, from torch's own schedulers chained with SequentialLR."""
    def make(opt):
        warm = lr_scheduler.LinearLR(opt, start_factor=1 / warmup_epochs, end_factor=1.0,
                                     total_iters=warmup_epochs - 1)
        cos = lr_scheduler.CosineAnnealingLR(opt, T_max=total_epochs - warmup_epochs)
        return lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[warmup_epochs])

    return torch_lrs(make, total_epochs + 1, base_lr)
