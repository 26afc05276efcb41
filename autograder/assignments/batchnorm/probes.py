"""Stored probes of assignment 7: the learning rates of linear warm-up then cosine decay (torch's LinearLR and
CosineAnnealingLR chained with SequentialLR), for the public check of ``warmup_cosine_lambda``."""
from __future__ import annotations

from kitcheck.probes import Probe

from .references import torch_warmup_cosine

# (warmup_epochs, total_epochs, base_lr): the public check's cases.
WARMUP_COSINE_CASES = [(3, 10, 0.5), (1, 4, 1.0), (2, 3, 0.1)]


def warmup_cosine_lambda_probes() -> list[Probe]:
    return [Probe({"warmup_epochs": warmup, "total_epochs": total, "base_lr": base_lr},
                  torch_warmup_cosine(warmup, total, base_lr))
            for warmup, total, base_lr in WARMUP_COSINE_CASES]


PROBES = {"warmup_cosine_lambda": warmup_cosine_lambda_probes}
