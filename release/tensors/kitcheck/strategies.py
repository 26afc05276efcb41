"""Hypothesis strategies and deterministic tensor factories shared by public checks and hidden tests."""
from __future__ import annotations

import functools
import os
import tempfile
from typing import Any, Callable

import torch
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches files under ./.hypothesis by default; keep students' and graders' folders clean.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), f"kitcheck-hypothesis-{os.getuid()}"))

FLOAT_DTYPES = (torch.float32, torch.float64)

# Hypothesis's "explain" phase re-runs a shrunk failure many times to annotate lines; our messages
# never show those notes, and skipping it makes a failing check about 6 times faster.
QUICK_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)

# Every hypothesis setting of the kit, in one tree. Public checks run inside a student's kernel: few
# examples, deterministic, quiet, no database on disk. Hidden tests run the "kit-grading" profile (more
# examples, otherwise the same); "kit-explore" is for exploring the tests themselves (KIT_HYPOTHESIS_PROFILE).
settings.register_profile("kit-public", max_examples=15, derandomize=True, deadline=None, database=None,
                          print_blob=False, report_multiple_bugs=False, phases=QUICK_PHASES,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("kit-grading", parent=settings.get_profile("kit-public"), max_examples=25)
settings.register_profile("kit-explore", parent=settings.get_profile("kit-grading"), max_examples=300)


class _PublicSettings:
    """``@PUBLIC_SETTINGS`` on a public check's @given test: the kit-public profile, and, where a grader has set a
    runner (``set_public_runner``), calls of the test go to it. Anywhere else hypothesis runs the test as always."""

    def __init__(self, profile: settings):
        self.settings = settings(profile)

    def __call__(self, test: Callable) -> Callable:
        test = self.settings(test)

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            runner = _public_runner
            if runner is None or args or kwargs:
                return test(*args, **kwargs)
            return runner(test)

        return run

    def __getattr__(self, name: str) -> Any:
        return getattr(self.settings, name)


_public_runner: Callable[[Callable], Any] | None = None


def set_public_runner(runner: Callable[[Callable], Any] | None) -> None:
    """Run every public check's @given test as ``runner(test)`` (a grading worker replays the examples it drew
    before); None: hypothesis runs them (a student's kernel never sets one)."""
    global _public_runner
    _public_runner = runner


PUBLIC_SETTINGS = _PublicSettings(settings.get_profile("kit-public"))

seeds = st.integers(min_value=0, max_value=2**16)


def shapes(min_dims: int = 1, max_dims: int = 4, min_side: int = 1, max_side: int = 5) -> st.SearchStrategy:
    """Tensor shapes of 1-4 dims with small sides (the shrinker drives them to the smallest failure)."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def make_tensor(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu",
                low: float = -3.0, high: float = 3.0) -> torch.Tensor:
    """A reproducible tensor, built on the CPU then moved, so every device sees the same values.

    Values are rounded to 2 decimals so a shrunk example prints readably.
    """
    g = torch.Generator().manual_seed(seed)
    values = torch.rand(shape, generator=g, dtype=torch.float64) * (high - low) + low
    return values.round(decimals=2).to(dtype).to(device)


def make_distinct(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """A tensor whose values along the last dim are all distinct (no ties for sort/topk)."""
    g = torch.Generator().manual_seed(seed)
    n = shape[-1] if shape else 1
    rows = int(torch.tensor(shape[:-1]).prod()) if len(shape) > 1 else 1
    perm = torch.stack([torch.randperm(n, generator=g) for _ in range(rows)]) if rows else torch.zeros(0, n)
    values = (perm.to(torch.float64) * 0.5 - n / 4).reshape(shape)
    return values.to(dtype).to(device)
