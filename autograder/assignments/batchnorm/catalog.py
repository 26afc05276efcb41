"""Assignment 7, "Batch norm and learning-rate schedules": mistakes students make, and correct variants
written differently."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are, BatchNorm
# sets eps and momentum in one line, and the schedulers import math and name their helper anneal): many
# mistakes below are one of them with an edit or two, written edited(question, slug, misconception,
# (old, new), ...).
SOLUTIONS = {
    "batch_norm_train": '''
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, correction=0)
    out = (x - mean.view(shape)) / (var.view(shape) + eps).sqrt() * weight.view(shape) + bias.view(shape)
    n = x.numel() // x.shape[1]
    with torch.no_grad():
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return out, new_mean, new_var
''',
    "batch_norm_eval": '''
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    shape = [1, -1] + [1] * (x.dim() - 2)
    x_hat = (x - running_mean.view(shape)) / (running_var.view(shape) + eps).sqrt()
    return x_hat * weight.view(shape) + bias.view(shape)
''',
    "BatchNorm": '''
class BatchNorm(torch.nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = torch.nn.Parameter(torch.ones(num_features))
        self.bias = torch.nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, correction=0)
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.view(shape)) / (var.view(shape) + self.eps).sqrt()
        return x_hat * self.weight.view(shape) + self.bias.view(shape)
''',
    "warmup_cosine_lambda": '''
import math

def warmup_cosine_lambda(warmup_epochs, total_epochs):
    def factor(epoch):
        if epoch < warmup_epochs:
            return (epoch + 1) / warmup_epochs
        progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
        return 0.5 * (1 + math.cos(math.pi * progress))
    return factor
''',
    "plateau_lrs": '''
import math

def plateau_lrs(losses, lr, factor=0.1, patience=10, threshold=1e-4, mode="min", threshold_mode="rel",
                cooldown=0, min_lr=0.0, eps=1e-8):
    best = math.inf if mode == "min" else -math.inf
    bad_epochs, cooldown_left, lrs = 0, 0, []
    for loss in losses:
        if mode == "min":
            improved = loss < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            improved = loss > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        if improved:
            best, bad_epochs = loss, 0
        else:
            bad_epochs += 1
        if cooldown_left > 0:
            cooldown_left -= 1
            bad_epochs = 0  # cooldown
        if bad_epochs > patience:
            new_lr = max(lr * factor, min_lr)
            if lr - new_lr > eps:
                lr = new_lr
            cooldown_left, bad_epochs = cooldown, 0
        lrs.append(lr)
    return lrs
''',
    "one_cycle_lr": '''
import math

def one_cycle_lr(step, total_steps, max_lr, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    initial_lr = max_lr / div_factor
    lowest_lr = initial_lr / final_div_factor
    peak = pct_start * total_steps - 1

    def anneal(start, end, progress):
        return end + (start - end) * (1 + math.cos(math.pi * progress)) / 2

    if step <= peak:
        return anneal(initial_lr, max_lr, step / peak)
    return anneal(max_lr, lowest_lr, (step - peak) / (total_steps - 1 - peak))
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- z_score_norm
    Mistake("z_score_norm", "unbiased-std",
            "Divides by the unbiased standard deviation (x.std divides by n - 1 by default); z-scores here use "
            "the biased one, dividing by n (correction=0).", '''
def z_score_norm(x):
    return (x - x.mean(dim=0)) / x.std(dim=0)
'''),
    Mistake("z_score_norm", "whole-tensor",
            "Uses the mean and standard deviation of the whole tensor; normalise each column (feature) with "
            "its own, along dim 0.", '''
def z_score_norm(x):
    return (x - x.mean()) / x.std(correction=0)
'''),
    Mistake("z_score_norm", "per-row",
            "Normalises each row (sample) along dim 1; z-score normalisation standardises each column "
            "(feature) over the samples, along dim 0.", '''
def z_score_norm(x):
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) / x.std(dim=1, correction=0, keepdim=True)
'''),
    Mistake("z_score_norm", "divides-by-variance",
            "Divides by the variance; divide by the standard deviation, its square root.", '''
def z_score_norm(x):
    return (x - x.mean(dim=0)) / x.var(dim=0, correction=0)
'''),
    # ---- batch_norm_train
    edited("batch_norm_train", "running-var-biased",
           "Updates running_var with the biased batch variance; torch normalises with the biased variance but "
           "stores the unbiased one (times n / (n - 1)) in running_var.",
           ("    n = x.numel() // x.shape[1]\n", ""),
           ("var * n / (n - 1)", "var")),
    edited("batch_norm_train", "normalises-unbiased",
           "Normalises with the unbiased variance (x.var's default); in training mode batch norm divides by the "
           "biased batch variance (correction=0), and only running_var gets the unbiased one.",
           ("dims, correction=0", "dims"),
           ("    n = x.numel() // x.shape[1]\n", ""),
           ("var * n / (n - 1)", "var")),
    edited("batch_norm_train", "momentum-swapped",
           "Weights the old running statistic by momentum; torch's momentum weights the new batch statistic: "
           "running = (1 - momentum) * running + momentum * batch.",
           ("new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n",
            "new_mean = momentum * running_mean + (1 - momentum) * mean\n"
            "        new_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)\n")),
    edited("batch_norm_train", "batch-dim-only",
           "Takes the statistics over dim 0 only; for (N, C, L) and (N, C, H, W) inputs a channel's statistics "
           "run over the batch and every position (all dims except 1).",
           ("    dims = [0] + list(range(2, x.dim()))\n", ""),
           ("mean = x.mean(dim=dims)\n"
            "    var = x.var(dim=dims, correction=0)\n"
            "    out = (x - mean.view(shape)) / (var.view(shape) + eps).sqrt() * weight.view(shape) + bias.view(shape)\n"
            "    n = x.numel() // x.shape[1]\n",
            "mean = x.mean(dim=0)\n"
            "    var = x.var(dim=0, correction=0)\n"
            "    out = (x - mean) / (var + eps).sqrt() * weight.view(shape) + bias.view(shape)\n"
            "    n = x.shape[0]\n")),
    edited("batch_norm_train", "detached-statistics",
           "Detaches the batch mean and variance, treating them as constants; they depend on x, and the "
           "gradient must flow through them too.",
           ("mean = x.mean(dim=dims)\n"
            "    var = x.var(dim=dims, correction=0)\n",
            "mean = x.mean(dim=dims).detach()\n"
            "    var = x.var(dim=dims, correction=0).detach()\n"),
           ("with torch.no_grad():\n"
            "        new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n",
            "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n")),
    # ---- batch_norm_eval
    Mistake("batch_norm_eval", "batch-statistics",
            "Normalises with the batch's own mean and variance; in eval mode batch norm uses the running "
            "statistics, so a prediction does not depend on the other samples of the batch.", '''
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, correction=0, keepdim=True)
    return (x - mean) / (var + eps).sqrt() * weight.view(shape) + bias.view(shape)
'''),
    edited("batch_norm_eval", "eps-outside-sqrt",
           "Adds eps to the standard deviation; batch norm adds it to the variance: sqrt(running_var + eps).",
           ("(running_var.view(shape) + eps).sqrt()", "(running_var.view(shape).sqrt() + eps)")),
    Mistake("batch_norm_eval", "no-reshape",
            "Lets (C,) tensors broadcast against the last dimension; for (N, C, L) or (N, C, H, W) inputs reshape "
            "them to (1, C, 1, ...) so they line up with dim 1.", '''
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    return (x - running_mean) / (running_var + eps).sqrt() * weight + bias
'''),
    edited("batch_norm_eval", "variance-as-std",
           "Divides by running_var + eps without the square root; running_var is a variance, and x is divided by "
           "the standard deviation.",
           (".sqrt()", "")),
    # ---- BatchNorm
    edited("BatchNorm", "ignores-eval-mode",
           "Always normalises with the batch statistics; in eval mode (self.training is False) use the running "
           "statistics and leave them unchanged.",
           ("if self.training:\n"
            "            mean = x.mean(dim=dims)\n"
            "            var = x.var(dim=dims, correction=0)\n"
            "            n = x.numel() // x.shape[1]\n"
            "            with torch.no_grad():\n"
            "                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)\n"
            "                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))\n"
            "        else:\n"
            "            mean, var = self.running_mean, self.running_var\n",
            "mean = x.mean(dim=dims)\n"
            "        var = x.var(dim=dims, correction=0)\n"
            "        n = x.numel() // x.shape[1]\n"
            "        with torch.no_grad():\n"
            "            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)\n"
            "            self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))\n")),
    edited("BatchNorm", "plain-attributes",
           "Stores the running statistics as plain tensor attributes; register them with self.register_buffer so "
           "they follow .to(device, dtype) and are saved in state_dict.",
           ('self.register_buffer("running_mean", torch.zeros(num_features))\n'
            '        self.register_buffer("running_var", torch.ones(num_features))\n',
            "self.running_mean = torch.zeros(num_features)\n"
            "        self.running_var = torch.ones(num_features)\n"),
           ("self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)\n"
            "                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))\n",
            "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean\n"
            "                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)\n")),
    edited("BatchNorm", "keeps-graph",
           "Updates the running statistics with autograd on, so they drag the old batches' graphs along and a "
           "later backward fails; update them under torch.no_grad().",
           ("with torch.no_grad():\n"
            "                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)\n"
            "                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))\n",
            "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean\n"
            "            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)\n")),
    edited("BatchNorm", "running-var-biased",
           "Updates running_var with the biased batch variance; torch normalises with the biased variance but "
           "stores the unbiased one (times n / (n - 1)) in running_var.",
           ("            n = x.numel() // x.shape[1]\n", ""),
           ("var * n / (n - 1)", "var")),
    # ---- multistep_lr
    Mistake("multistep_lr", "one-epoch-late",
            "Decays only after a milestone (epoch > milestone); MultiStepLR already uses the decayed rate in the "
            "milestone epoch itself (epoch >= milestone).", '''
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    return base_lr * gamma ** sum(1 for m in milestones if epoch > m)
'''),
    Mistake("multistep_lr", "decays-once",
            "Multiplies by gamma once, however many milestones have passed; each milestone multiplies the rate by "
            "gamma again.", '''
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    return base_lr * gamma if any(epoch >= m for m in milestones) else base_lr
'''),
    Mistake("multistep_lr", "regular-steps",
            "Treats the first milestone as a step size, like StepLR; MultiStepLR decays at the listed milestones, "
            "which need not be evenly spaced.", '''
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    return base_lr * gamma ** (epoch // milestones[0])
'''),
    # ---- exponential_lr
    Mistake("exponential_lr", "decays-from-the-start",
            "Uses gamma ** (epoch + 1); epoch 0 trains with base_lr itself, the first decay comes after it.", '''
def exponential_lr(epoch, base_lr, gamma):
    return base_lr * gamma ** (epoch + 1)
'''),
    Mistake("exponential_lr", "exp-decay-rate",
            "Computes base_lr * exp(-gamma * epoch); ExponentialLR multiplies by gamma itself every epoch: "
            "base_lr * gamma ** epoch.", '''
import math

def exponential_lr(epoch, base_lr, gamma):
    return base_lr * math.exp(-gamma * epoch)
'''),
    Mistake("exponential_lr", "one-minus-gamma",
            "Multiplies by 1 - gamma each epoch; gamma is the factor kept (0.9 keeps 90%), not the fraction "
            "removed.", '''
def exponential_lr(epoch, base_lr, gamma):
    return base_lr * (1 - gamma) ** epoch
'''),
    # ---- cosine_lr
    Mistake("cosine_lr", "one-minus-cos",
            "Uses (1 - cos); the schedule starts at base_lr, where cos(0) = 1, so it is (1 + cos(pi * epoch / "
            "T_max)) / 2.", '''
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 - math.cos(math.pi * epoch / T_max)) / 2
'''),
    Mistake("cosine_lr", "no-half",
            "Forgets the / 2: 1 + cos(...) runs from 2 to 0, so the schedule would start at twice base_lr.", '''
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max))
'''),
    Mistake("cosine_lr", "eta-min-added",
            "Adds eta_min on top of the full cosine of base_lr; the cosine spans base_lr - eta_min, so the rate "
            "runs from base_lr down to eta_min.", '''
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return eta_min + base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2
'''),
    # ---- warmup_cosine_lambda
    edited("warmup_cosine_lambda", "warmup-from-zero",
           "Warms up with epoch / warmup_epochs, which makes the first epoch's learning rate 0; use "
           "(epoch + 1) / warmup_epochs.",
           ("(epoch + 1)", "epoch")),
    edited("warmup_cosine_lambda", "decay-not-shifted",
           "Starts the cosine at epoch 0 instead of at the end of the warm-up; its phase is (epoch - "
           "warmup_epochs) / (total_epochs - warmup_epochs).",
           ("progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)\n"
            "        return 0.5 * (1 + math.cos(math.pi * progress))\n",
            "return 0.5 * (1 + math.cos(math.pi * epoch / (total_epochs - warmup_epochs)))\n")),
    edited("warmup_cosine_lambda", "decay-over-total",
           "Spreads the cosine over total_epochs; it only has the total_epochs - warmup_epochs epochs after the "
           "warm-up to reach 0.",
           ("progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)\n"
            "        return 0.5 * (1 + math.cos(math.pi * progress))\n",
            "return 0.5 * (1 + math.cos(math.pi * (epoch - warmup_epochs) / total_epochs))\n")),
    # ---- issue 18: hard inputs, layouts, inputs left unchanged, Python floats
    Mistake("z_score_norm", "one-pass-variance",
            "Computes the variance in one pass as mean(x**2) - mean(x)**2, which cancels catastrophically when "
            "the values share a large offset (1e4 + small noise); subtract the mean first.", """
def z_score_norm(x):
    mean = x.mean(dim=0)
    var = (x ** 2).mean(dim=0) - mean ** 2
    return (x - mean) / var.sqrt()
"""),
    Mistake("z_score_norm", "normalises-in-place",
            "Normalises x in place and returns it, so the caller's data is overwritten; compute a new tensor "
            "(x - mean) / std.", """
def z_score_norm(x):
    mean = x.mean(dim=0)
    std = x.std(dim=0, correction=0)
    return x.sub_(mean).div_(std)
"""),
    Mistake("z_score_norm", "eps-in-std",
            "Adds a small eps to the standard deviation as batch norm does; z-scores divide by the standard "
            "deviation itself, and for a feature measured in thousandths eps changes the result.", """
def z_score_norm(x):
    return (x - x.mean(dim=0)) / (x.std(dim=0, correction=0) + 1e-5)
"""),
    edited("batch_norm_train", "one-pass-variance",
           "Computes the batch variance as mean(x**2) - mean**2, which cancels catastrophically when a channel's "
           "values share a large offset; subtract the mean first, then average the squares.",
           ("x.var(dim=dims, correction=0)", "(x * x).mean(dim=dims) - mean * mean")),
    edited("batch_norm_train", "eps-outside-sqrt",
           "Adds eps to the standard deviation; batch norm adds it to the variance, sqrt(var + eps), which "
           "matters for channels with a tiny variance.",
           ("(var.view(shape) + eps).sqrt()", "(var.view(shape).sqrt() + eps)")),
    edited("batch_norm_train", "running-stats-in-place",
           "Updates the caller's running_mean and running_var in place and returns them, as F.batch_norm does; "
           "the exercise returns new tensors and leaves its inputs unchanged.",
           ("new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n"
            "    return out, new_mean, new_var\n",
            "running_mean.mul_(1 - momentum).add_(momentum * mean)\n"
            "        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))\n"
            "    return out, running_mean, running_var\n")),
    edited("batch_norm_train", "view-on-input",
           "Flattens x with x.view(N, C, -1), which fails on a transposed or sliced (non-contiguous) input; "
           "use reshape, or reduce over the dims directly.",
           ("dims = [0] + list(range(2, x.dim()))", "flat = x.view(x.shape[0], x.shape[1], -1)"),
           ("mean = x.mean(dim=dims)\n"
            "    var = x.var(dim=dims, correction=0)\n",
            "mean = flat.mean(dim=(0, 2))\n"
            "    var = flat.var(dim=(0, 2), correction=0)\n")),
    edited("batch_norm_eval", "eps-added-in-place",
           "Adds eps to running_var in place (running_var += eps), which changes the caller's running "
           "statistics every call; compute running_var + eps as a new tensor.",
           ("x_hat = (x - running_mean.view(shape)) / (running_var.view(shape) + eps).sqrt()\n",
            "running_var += eps\n"
            "    x_hat = (x - running_mean.view(shape)) / running_var.view(shape).sqrt()\n")),
    Mistake("batch_norm_eval", "view-on-input",
            "Flattens x with x.view(N, C, -1), which fails on a transposed or sliced (non-contiguous) input; "
            "use reshape, or reshape the (C,) tensors instead.", """
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    flat = x.view(x.shape[0], x.shape[1], -1)
    s = (1, -1, 1)
    out = (flat - running_mean.view(s)) / (running_var.view(s) + eps).sqrt() * weight.view(s) + bias.view(s)
    return out.view(x.shape)
"""),
    edited("BatchNorm", "one-pass-variance",
           "Computes the batch variance as mean(x**2) - mean**2, which cancels catastrophically when a channel's "
           "values share a large offset; subtract the mean first.",
           ("x.var(dim=dims, correction=0)", "(x ** 2).mean(dim=dims) - mean ** 2")),
    edited("BatchNorm", "view-on-input",
           "Flattens x with x.view(N, C, -1), which fails on a transposed or sliced (non-contiguous) input; "
           "use reshape.",
           ("dims = [0] + list(range(2, x.dim()))\n"
            "        shape = [1, -1] + [1] * (x.dim() - 2)\n",
            "flat = x.view(x.shape[0], x.shape[1], -1)\n"
            "        s = (1, -1, 1)\n"),
           ("mean = x.mean(dim=dims)\n"
            "            var = x.var(dim=dims, correction=0)\n"
            "            n = x.numel() // x.shape[1]\n",
            "mean = flat.mean(dim=(0, 2))\n"
            "            var = flat.var(dim=(0, 2), correction=0)\n"
            "            n = flat.shape[0] * flat.shape[2]\n"),
           ("x_hat = (x - mean.view(shape)) / (var.view(shape) + self.eps).sqrt()\n"
            "        return x_hat * self.weight.view(shape) + self.bias.view(shape)\n",
            "out = (flat - mean.view(s)) / (var.view(s) + self.eps).sqrt() * self.weight.view(s) + self.bias.view(s)\n"
            "        return out.view(x.shape)\n")),
    edited("BatchNorm", "eval-in-place",
           "In eval mode under torch.no_grad() normalises the input in place to save memory, overwriting the "
           "caller's tensor; return a new tensor.",
           ("mean, var = self.running_mean, self.running_var\n",
            "mean, var = self.running_mean, self.running_var\n"
            "            if not torch.is_grad_enabled():\n"
            "                x.sub_(mean.view(shape)).div_((var.view(shape) + self.eps).sqrt())\n"
            "                return x.mul_(self.weight.view(shape)).add_(self.bias.view(shape))\n")),
    Mistake("multistep_lr", "two-milestones",
            "Assumes exactly two milestones, as in the example; count every milestone the epoch has reached.", """
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    return base_lr * gamma ** ((epoch >= milestones[0]) + (epoch >= milestones[1]))
"""),
    Mistake("multistep_lr", "tensor-rate",
            "Returns the rate as a torch tensor; an optimizer's lr is a Python float.", """
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    passed = torch.tensor([epoch >= m for m in milestones]).sum()
    return base_lr * gamma ** passed
"""),
    Mistake("exponential_lr", "returns-factor",
            "Returns the factor gamma ** epoch, as a LambdaLR function would; the question asks for the rate "
            "itself, base_lr times that factor.", """
def exponential_lr(epoch, base_lr, gamma):
    return gamma ** epoch
"""),
    Mistake("exponential_lr", "tensor-rate",
            "Returns the rate as a torch tensor; an optimizer's lr is a Python float.", """
def exponential_lr(epoch, base_lr, gamma):
    return base_lr * torch.tensor(gamma, dtype=torch.float64) ** epoch
"""),
    Mistake("cosine_lr", "quarter-wave",
            "Uses cos(pi * epoch / (2 * T_max)), a quarter of a cosine wave, which stops at cos(pi / 2) without "
            "the 1 + cos(...) shape; cosine annealing is (1 + cos(pi * epoch / T_max)) / 2.", """
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / (2 * T_max))
"""),
    Mistake("cosine_lr", "tensor-rate",
            "Returns the rate as a torch tensor; an optimizer's lr is a Python float.", """
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    c = torch.cos(torch.tensor(math.pi * epoch / T_max, dtype=torch.float64))
    return eta_min + (base_lr - eta_min) * (1 + c) / 2
"""),
    edited("warmup_cosine_lambda", "decay-one-epoch-late",
           "Starts the cosine one epoch into the decay ((epoch - warmup_epochs + 1) / ...), so the rate never "
           "holds the full base rate after the warm-up.",
           ("progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)",
            "progress = (epoch - warmup_epochs + 1) / (total_epochs - warmup_epochs)")),
    edited("warmup_cosine_lambda", "tensor-factor",
           "Returns the factor as a torch tensor, so LambdaLR sets a tensor learning rate; return a Python "
           "float.",
           ("(epoch + 1) / warmup_epochs", "torch.tensor((epoch + 1) / warmup_epochs, dtype=torch.float64)"),
           ("return 0.5 * (1 + math.cos(math.pi * progress))",
            "return 0.5 * (1 + torch.cos(torch.tensor(math.pi * progress, dtype=torch.float64)))")),
    # ---- plateau_lrs
    edited("plateau_lrs", "patience-reached",
           "Reduces as soon as the number of bad epochs reaches patience; ReduceLROnPlateau waits until it "
           "exceeds patience (patience bad epochs are tolerated).",
           ("if bad_epochs > patience:", "if bad_epochs >= patience:")),
    edited("plateau_lrs", "no-threshold",
           "Counts any decrease as an improvement; it must beat the best by the threshold (best * (1 - "
           "threshold) in rel mode).",
           ("best * (1 - threshold)", "best"),
           ("best * (1 + threshold)", "best"),
           ("best - threshold", "best"),
           ("best + threshold", "best")),
    edited("plateau_lrs", "cooldown-counts",
           "Keeps counting bad epochs during the cooldown; bad epochs right after a reduction are ignored.",
           ("            bad_epochs = 0  # cooldown\n", "")),
    edited("plateau_lrs", "ignores-min-lr", "Multiplies by factor without the floor; the rate never goes below min_lr.",
           ("max(lr * factor, min_lr)", "lr * factor")),
    edited("plateau_lrs", "ignores-eps",
           "Applies every reduction, however small; torch skips one that lowers the rate by eps or less.",
           ("if lr - new_lr > eps:", "if True:")),
    edited("plateau_lrs", "nan-improves",
           "Writes the test as `not loss >= best`, so a nan loss counts as an improvement; every comparison with "
           "nan is False, so a nan loss is a bad epoch.",
           ("improved = loss < (", "improved = not loss >= ("),
           ("improved = loss > (", "improved = not loss <= (")),
    edited("plateau_lrs", "resets-best",
           "Forgets the best loss after a reduction; torch keeps it, so the loss must still beat the old best.",
           ("cooldown_left, bad_epochs = cooldown, 0",
            "cooldown_left, bad_epochs = cooldown, 0\n"
            "            best = math.inf if mode == 'min' else -math.inf")),
    # ---- one_cycle_lr
    edited("one_cycle_lr", "linear-anneal",
           "Moves the rate along straight lines; anneal_strategy='cos' follows half a cosine in both phases.",
           ("end + (start - end) * (1 + math.cos(math.pi * progress)) / 2", "start + (end - start) * progress")),
    edited("one_cycle_lr", "peak-at-pct-steps",
           "Puts the peak at step pct_start * total_steps; torch's rise ends at pct_start * total_steps - 1.",
           ("peak = pct_start * total_steps - 1", "peak = pct_start * total_steps")),
    edited("one_cycle_lr", "ends-at-initial",
           "Anneals back down to the initial rate max_lr / div_factor; the cycle ends far lower, at "
           "max_lr / div_factor / final_div_factor.",
           ("lowest_lr = initial_lr / final_div_factor", "lowest_lr = initial_lr")),
    edited("one_cycle_lr", "falls-over-total",
           "Spreads the fall up to step total_steps; the last step is total_steps - 1, which should get the "
           "lowest rate.",
           ("(total_steps - 1 - peak)", "(total_steps - peak)")),
    edited("one_cycle_lr", "integer-peak",
           "Rounds the peak down to a whole step with int(); torch keeps pct_start * total_steps - 1 as a float, "
           "so the peak may fall between two steps.",
           ("peak = pct_start * total_steps - 1", "peak = int(pct_start * total_steps) - 1")),
]

VARIANTS = [
    Variant("z_score_norm", "var-mean-rsqrt", "torch.var_mean with correction=0 and rsqrt", '''
def z_score_norm(x):
    var, mean = torch.var_mean(x, dim=0, correction=0)
    return (x - mean) * torch.rsqrt(var)
'''),
    Variant("z_score_norm", "column-loop-float64", "a loop over columns, computed in float64", '''
def z_score_norm(x):
    columns = []
    for j in range(x.shape[1]):
        c = x[:, j].double()
        m = c.sum() / len(c)
        s = (((c - m) ** 2).sum() / len(c)).sqrt()
        columns.append((c - m) / s)
    return torch.stack(columns, dim=1).to(x.dtype)
'''),
    Variant("batch_norm_train", "flatten-channels", "moves the channels last and flattens the rest; lerp for the "
            "running statistics", '''
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    flat = x.movedim(1, -1).reshape(-1, x.shape[1])  # (values per channel, C)
    n = flat.shape[0]
    mean = flat.mean(0)
    centered = flat - mean
    var = (centered ** 2).sum(0) / n
    out = centered / torch.sqrt(var + eps) * weight + bias
    out = out.reshape(*x.movedim(1, -1).shape).movedim(-1, 1)
    new_mean = torch.lerp(running_mean, mean.detach(), momentum)
    new_var = torch.lerp(running_var, var.detach() * n / (n - 1), momentum)
    return out, new_mean, new_var
'''),
    Variant("batch_norm_train", "keepdim-inplace", "keepdim statistics; updates clones of the running stats in "
            "place", '''
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    dims = tuple(d for d in range(x.dim()) if d != 1)
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    w = weight.reshape(mean.shape)
    b = bias.reshape(mean.shape)
    out = w * (x - mean) * (var + eps).rsqrt() + b
    n = x.numel() / x.shape[1]
    new_mean, new_var = running_mean.clone(), running_var.clone()
    with torch.no_grad():
        new_mean.mul_(1 - momentum).add_(mean.flatten(), alpha=momentum)
        new_var.mul_(1 - momentum).add_(var.flatten() * (n / (n - 1)), alpha=momentum)
    return out, new_mean, new_var
'''),
    Variant("batch_norm_eval", "folded-affine", "folds the statistics into one scale and shift, as for inference",
            '''
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    scale = weight / torch.sqrt(running_var + eps)
    shift = bias - running_mean * scale
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return x * scale.reshape(shape) + shift.reshape(shape)
'''),
    Variant("batch_norm_eval", "movedim", "moves the channels last so (C,) tensors broadcast", '''
def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
    xc = x.movedim(1, -1)
    out = (xc - running_mean) / (running_var + eps) ** 0.5 * weight + bias
    return out.movedim(-1, 1)
'''),
    Variant("BatchNorm", "functional-buffers", "keeps num_batches_tracked like torch and updates with lerp_", '''
class BatchNorm(torch.nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = torch.nn.Parameter(torch.ones(num_features))
        self.bias = torch.nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x):
        xc = x.movedim(1, -1)
        if self.training:
            flat = xc.reshape(-1, self.num_features)
            n = flat.shape[0]
            var, mean = torch.var_mean(flat, dim=0, correction=0)
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var * n / (n - 1), self.momentum)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        out = (xc - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
        return out.movedim(-1, 1)
'''),
    Variant("BatchNorm", "detached-update", "detached statistics and buffer reassignment, keepdim shapes", '''
class BatchNorm(torch.nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = torch.nn.Parameter(torch.ones(num_features))
        self.bias = torch.nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        dims = tuple(d for d in range(x.dim()) if d != 1)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.training:
            mean = x.mean(dims, keepdim=True)
            var = ((x - mean) ** 2).mean(dims, keepdim=True)
            n = x.numel() // x.shape[1]
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mean.detach().flatten()
            self.running_var = (1 - m) * self.running_var + m * var.detach().flatten() * n / (n - 1)
        else:
            mean, var = self.running_mean.reshape(shape), self.running_var.reshape(shape)
        return (x - mean) / (var + self.eps).sqrt() * self.weight.reshape(shape) + self.bias.reshape(shape)
'''),
    Variant("multistep_lr", "bisect", "counts passed milestones with bisect_right", '''
from bisect import bisect_right

def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    return base_lr * gamma ** bisect_right(sorted(milestones), epoch)
'''),
    Variant("multistep_lr", "replay", "replays the epochs, multiplying at each milestone like the scheduler", '''
def multistep_lr(epoch, base_lr, milestones, gamma=0.1):
    lr = base_lr
    for e in range(1, epoch + 1):
        if e in milestones:
            lr *= gamma
    return lr
'''),
    Variant("exponential_lr", "replay", "multiplies by gamma once per past epoch", '''
def exponential_lr(epoch, base_lr, gamma):
    lr = base_lr
    for _ in range(epoch):
        lr = lr * gamma
    return lr
'''),
    Variant("exponential_lr", "log-space", "exp(epoch * log(gamma))", '''
import math

def exponential_lr(epoch, base_lr, gamma):
    return base_lr * math.exp(epoch * math.log(gamma))
'''),
    Variant("cosine_lr", "cos-squared", "the identity (1 + cos 2a) / 2 = cos(a)^2", '''
import math

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / (2 * T_max)) ** 2
'''),
    Variant("cosine_lr", "numpy", "numpy's cos and pi", '''
import numpy as np

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    return float(eta_min + 0.5 * (base_lr - eta_min) * (1.0 + np.cos(np.pi * epoch / T_max)))
'''),
    Variant("warmup_cosine_lambda", "lambda-min", "a lambda with min() for the warm-up ramp", '''
import math

def warmup_cosine_lambda(warmup_epochs, total_epochs):
    decay = total_epochs - warmup_epochs
    return lambda e: (min(1.0, (e + 1) / warmup_epochs) if e < warmup_epochs
                      else math.cos(math.pi * (e - warmup_epochs) / (2 * decay)) ** 2)
'''),
    Variant("warmup_cosine_lambda", "callable-class", "a small callable class", '''
import math

class _WarmupCosine:
    def __init__(self, warmup, total):
        self.warmup, self.total = warmup, total

    def __call__(self, epoch):
        if epoch < self.warmup:
            return (epoch + 1) / self.warmup
        t = (epoch - self.warmup) / (self.total - self.warmup)
        return (1 + math.cos(math.pi * t)) / 2

def warmup_cosine_lambda(warmup_epochs, total_epochs):
    return _WarmupCosine(warmup_epochs, total_epochs)
'''),
    Variant("plateau_lrs", "scheduler-class", "a small class with the scheduler's state, stepped per loss", """
import math

class _Plateau:
    def __init__(self, lr, factor, patience, threshold, mode, threshold_mode, cooldown, min_lr, eps):
        self.lr, self.factor, self.patience, self.threshold = lr, factor, patience, threshold
        self.sign = 1.0 if mode == "min" else -1.0  # "max" is "min" of the negated metric
        self.rel, self.cooldown, self.min_lr, self.eps = threshold_mode == "rel", cooldown, min_lr, eps
        self.best, self.bad, self.wait = math.inf, 0, 0

    def better(self, value):
        best = self.best * self.sign
        if self.rel:
            limit = best * (1 - self.threshold) if self.sign > 0 else best * (1 + self.threshold)
        else:
            limit = best - self.threshold * self.sign
        return value * self.sign < limit * self.sign

    def step(self, value):
        if self.better(value):
            self.best, self.bad = value * self.sign, 0
        else:
            self.bad += 1
        if self.wait:
            self.wait, self.bad = self.wait - 1, 0
        if self.bad > self.patience:
            candidate = max(self.lr * self.factor, self.min_lr)
            self.lr = candidate if self.lr - candidate > self.eps else self.lr
            self.wait, self.bad = self.cooldown, 0
        return self.lr

def plateau_lrs(losses, lr, factor=0.1, patience=10, threshold=1e-4, mode="min", threshold_mode="rel",
                cooldown=0, min_lr=0.0, eps=1e-8):
    s = _Plateau(float(lr), factor, patience, threshold, mode, threshold_mode, cooldown, min_lr, eps)
    return [s.step(float(v)) for v in losses]
"""),
    Variant("plateau_lrs", "torch-floats", "a loop with a lookup table of comparisons and an explicit counter", """
import operator

def plateau_lrs(losses, lr, factor=0.1, patience=10, threshold=1e-4, mode="min", threshold_mode="rel",
                cooldown=0, min_lr=0.0, eps=1e-8):
    beats = operator.lt if mode == "min" else operator.gt
    sign = -1 if mode == "min" else 1
    def bar(best):
        return best * (1 + sign * threshold) if threshold_mode == "rel" else best + sign * threshold
    best = float("inf") if mode == "min" else float("-inf")
    bad = cool = 0
    out = []
    for value in losses:
        if beats(value, bar(best)):
            best, bad = value, 0
        else:
            bad = bad + 1
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            lower = lr * factor if lr * factor > min_lr else min_lr
            lr = lower if (lr - lower) > eps else lr
            cool, bad = cooldown, 0
        out.append(lr)
    return out
"""),
    Variant("one_cycle_lr", "cos-squared", "both phases through cos^2 (the identity (1 + cos 2a) / 2 = cos(a)^2)", """
import math

def one_cycle_lr(step, total_steps, max_lr, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    start = max_lr / div_factor
    end = start / final_div_factor
    peak = float(pct_start * total_steps) - 1
    if step <= peak:
        t, lo, hi = step / peak, start, max_lr
        return hi - (hi - lo) * math.cos(math.pi * t / 2) ** 2
    t = (step - peak) / (total_steps - 1 - peak)
    return end + (max_lr - end) * math.cos(math.pi * t / 2) ** 2
"""),
    Variant("one_cycle_lr", "phase-table", "a table of phases walked like torch's scheduler, numpy's cosine", """
import numpy as np

def one_cycle_lr(step, total_steps, max_lr, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    low = max_lr / div_factor
    phases = [(pct_start * total_steps - 1, low, max_lr), (total_steps - 1, max_lr, low / final_div_factor)]
    begin = 0.0
    for i, (stop, a, b) in enumerate(phases):
        if step <= stop or i == len(phases) - 1:
            p = (step - begin) / (stop - begin)
            return float(b + (a - b) / 2.0 * (np.cos(np.pi * p) + 1))
        begin = stop
"""),
]

ZH = {
    "z_score_norm:unbiased-std":
        "除以了无偏标准差（x.std 默认除以 n - 1）；这里的 Z-Score 标准化用有偏标准差，除以 n（correction=0）。",
    "z_score_norm:whole-tensor":
        "用了整个张量的均值和标准差；应当沿第 0 维，用每一列（特征）自己的均值和标准差做标准化。",
    "z_score_norm:per-row":
        "沿第 1 维对每一行（样本）做了标准化；Z-Score 标准化是沿第 0 维、在所有样本上对每一列（特征）做标准化。",
    "z_score_norm:divides-by-variance":
        "除以了方差；应当除以标准差，即方差的平方根。",
    "batch_norm_train:running-var-biased":
        "用有偏批量方差更新 running_var；torch 用有偏方差做归一化，但在 running_var 中保存的是无偏方差（乘以 n / (n - 1)）。",
    "batch_norm_train:normalises-unbiased":
        "用无偏方差（x.var 的默认值）做归一化；训练模式下批量归一化除以的是有偏批量方差（correction=0），"
        "只有 running_var 才用无偏方差。",
    "batch_norm_train:momentum-swapped":
        "把 momentum 当成了旧滑动平均的权重；torch 的 momentum 是新批量统计量的权重："
        "running = (1 - momentum) * running + momentum * batch。",
    "batch_norm_train:batch-dim-only":
        "只在第 0 维上计算统计量；对 (N, C, L) 和 (N, C, H, W) 的输入，一个通道的统计量要覆盖整个批量和所有位置"
        "（除第 1 维以外的所有维度）。",
    "batch_norm_train:detached-statistics":
        "对批量均值和方差做了 detach，把它们当作常数；它们依赖于 x，梯度也必须经过它们传回去。",
    "batch_norm_eval:batch-statistics":
        "用批量自己的均值和方差做归一化；评估模式下批量归一化使用滑动平均，这样一个样本的预测不依赖于同一批量中的其他样本。",
    "batch_norm_eval:eps-outside-sqrt":
        "把 eps 加到了标准差上；批量归一化把它加在方差上：sqrt(running_var + eps)。",
    "batch_norm_eval:no-reshape":
        "让 (C,) 张量沿最后一维广播；对 (N, C, L) 或 (N, C, H, W) 的输入，要把它们变形为 (1, C, 1, ...)，才能与第 1 维对齐。",
    "batch_norm_eval:variance-as-std":
        "除以 running_var + eps 时没有开平方；running_var 是方差，而 x 应当除以标准差。",
    "BatchNorm:ignores-eval-mode":
        "总是用批量统计量做归一化；评估模式下（self.training 为 False）应当使用滑动平均，并且不改变它们。",
    "BatchNorm:plain-attributes":
        "把滑动平均存成了普通的张量属性；请用 self.register_buffer 注册它们，这样它们会随 .to(device, dtype) 移动，并保存在 state_dict 中。",
    "BatchNorm:keeps-graph":
        "在开启自动求导的情况下更新滑动平均，它们会拖着以前各批量的计算图，之后的反向传播会出错；请在 torch.no_grad() 下更新它们。",
    "BatchNorm:running-var-biased":
        "用有偏批量方差更新 running_var；torch 用有偏方差做归一化，但在 running_var 中保存的是无偏方差（乘以 n / (n - 1)）。",
    "multistep_lr:one-epoch-late":
        "只在里程碑之后才衰减（epoch > milestone）；MultiStepLR 在里程碑那一轮就已经使用衰减后的学习率（epoch >= milestone）。",
    "multistep_lr:decays-once":
        "无论经过了多少个里程碑，都只乘一次 gamma；每经过一个里程碑，学习率都要再乘一次 gamma。",
    "multistep_lr:regular-steps":
        "像 StepLR 那样把第一个里程碑当作步长；MultiStepLR 在列出的里程碑处衰减，里程碑不一定等间隔。",
    "exponential_lr:decays-from-the-start":
        "用了 gamma ** (epoch + 1)；第 0 轮使用 base_lr 本身，第一次衰减发生在它之后。",
    "exponential_lr:exp-decay-rate":
        "计算了 base_lr * exp(-gamma * epoch)；ExponentialLR 每轮直接乘以 gamma：base_lr * gamma ** epoch。",
    "exponential_lr:one-minus-gamma":
        "每轮乘以 1 - gamma；gamma 是保留的比例（0.9 表示保留 90%），而不是减掉的比例。",
    "cosine_lr:one-minus-cos":
        "用了 (1 - cos)；调度从 base_lr 开始，此时 cos(0) = 1，所以应当是 (1 + cos(pi * epoch / T_max)) / 2。",
    "cosine_lr:no-half":
        "忘了 / 2：1 + cos(...) 从 2 变到 0，调度会从 base_lr 的两倍开始。",
    "cosine_lr:eta-min-added":
        "在 base_lr 的完整余弦之上又加了 eta_min；余弦的幅度是 base_lr - eta_min，学习率从 base_lr 降到 eta_min。",
    "warmup_cosine_lambda:warmup-from-zero":
        "用 epoch / warmup_epochs 做预热，第一轮的学习率会是 0；应当用 (epoch + 1) / warmup_epochs。",
    "warmup_cosine_lambda:decay-not-shifted":
        "余弦从第 0 轮开始，而不是从预热结束时开始；它的相位是 (epoch - warmup_epochs) / (total_epochs - warmup_epochs)。",
    "warmup_cosine_lambda:decay-over-total":
        "把余弦铺满了 total_epochs 轮；预热之后只剩 total_epochs - warmup_epochs 轮让它降到 0。",
    "z_score_norm:one-pass-variance":
        "用 mean(x**2) - mean(x)**2 一次算出方差，当数值有很大的共同偏移（1e4 加上很小的噪声）时会发生灾难性抵消；"
        "请先减去均值。",
    "z_score_norm:normalises-in-place":
        "原地标准化 x 并返回它，调用者的数据被覆盖了；请计算一个新张量 (x - mean) / std。",
    "z_score_norm:eps-in-std":
        "像批量归一化那样给标准差加了一个小的 eps；Z-Score 标准化除以标准差本身，对以千分之一为单位的特征，eps 会改变结果。",
    "batch_norm_train:one-pass-variance":
        "用 mean(x**2) - mean**2 计算批量方差，当一个通道的数值有很大的共同偏移时会发生灾难性抵消；请先减去均值，再对平方求平均。",
    "batch_norm_train:eps-outside-sqrt":
        "把 eps 加到了标准差上；批量归一化把它加在方差上，sqrt(var + eps)，这对方差很小的通道有影响。",
    "batch_norm_train:running-stats-in-place":
        "像 F.batch_norm 那样原地更新调用者的 running_mean 和 running_var 并返回它们；本练习要返回新张量，并保持输入不变。",
    "batch_norm_train:view-on-input":
        "用 x.view(N, C, -1) 展平 x，这对转置或切片得到的（非连续）输入会出错；请用 reshape，或者直接在这些维度上归约。",
    "batch_norm_eval:eps-added-in-place":
        "原地给 running_var 加上 eps（running_var += eps），每次调用都会改变调用者的滑动平均；请把 running_var + eps 算成新张量。",
    "batch_norm_eval:view-on-input":
        "用 x.view(N, C, -1) 展平 x，这对转置或切片得到的（非连续）输入会出错；请用 reshape，或者改为变形 (C,) 张量。",
    "BatchNorm:one-pass-variance":
        "用 mean(x**2) - mean**2 计算批量方差，当一个通道的数值有很大的共同偏移时会发生灾难性抵消；请先减去均值。",
    "BatchNorm:view-on-input":
        "用 x.view(N, C, -1) 展平 x，这对转置或切片得到的（非连续）输入会出错；请用 reshape。",
    "BatchNorm:eval-in-place":
        "评估模式下在 torch.no_grad() 中为了节省内存原地归一化输入，覆盖了调用者的张量；请返回新张量。",
    "multistep_lr:two-milestones":
        "像示例那样假定正好有两个里程碑；应当数出这一轮已经到达的所有里程碑。",
    "multistep_lr:tensor-rate":
        "把学习率作为 torch 张量返回；优化器的 lr 是 Python 浮点数。",
    "exponential_lr:returns-factor":
        "像 LambdaLR 的函数那样返回了系数 gamma ** epoch；题目要求的是学习率本身，即 base_lr 乘以这个系数。",
    "exponential_lr:tensor-rate":
        "把学习率作为 torch 张量返回；优化器的 lr 是 Python 浮点数。",
    "cosine_lr:quarter-wave":
        "用了 cos(pi * epoch / (2 * T_max))，只有四分之一个余弦波，停在 cos(pi / 2)，也没有 1 + cos(...) 的形状；"
        "余弦退火是 (1 + cos(pi * epoch / T_max)) / 2。",
    "cosine_lr:tensor-rate":
        "把学习率作为 torch 张量返回；优化器的 lr 是 Python 浮点数。",
    "warmup_cosine_lambda:decay-one-epoch-late":
        "余弦从衰减阶段的第二轮才开始（(epoch - warmup_epochs + 1) / ...），预热之后学习率从未保持完整的初始学习率。",
    "warmup_cosine_lambda:tensor-factor":
        "把系数作为 torch 张量返回，LambdaLR 会因此设置一个张量学习率；请返回 Python 浮点数。",
    "plateau_lrs:patience-reached":
        "坏轮数一达到 patience 就衰减；ReduceLROnPlateau 要等到它超过 patience 才衰减（可以容忍 patience 个坏轮）。",
    "plateau_lrs:no-threshold":
        "把任何下降都当作改善；它必须以 threshold 的幅度胜过最优值（rel 模式下为 best * (1 - threshold)）。",
    "plateau_lrs:cooldown-counts":
        "在冷却期内仍然计数坏轮；一次衰减之后紧接着的坏轮是不计的。",
    "plateau_lrs:ignores-min-lr":
        "乘以 factor 时没有下限；学习率不会低于 min_lr。",
    "plateau_lrs:ignores-eps":
        "无论多小的衰减都执行；torch 会跳过降幅不超过 eps 的衰减。",
    "plateau_lrs:nan-improves":
        "把判断写成了 `not loss >= best`，于是 nan 损失算作改善；与 nan 的任何比较都是 False，所以 nan 损失是坏轮。",
    "plateau_lrs:resets-best":
        "衰减之后忘掉了最优损失；torch 会保留它，所以损失仍然要胜过原来的最优值。",
    "one_cycle_lr:linear-anneal":
        "让学习率沿直线变化；anneal_strategy='cos' 在两个阶段都沿半个余弦变化。",
    "one_cycle_lr:peak-at-pct-steps":
        "把峰值放在第 pct_start * total_steps 步；torch 的上升段在 pct_start * total_steps - 1 处结束。",
    "one_cycle_lr:ends-at-initial":
        "退火回到了初始学习率 max_lr / div_factor；一个周期的终点要低得多，是 max_lr / div_factor / final_div_factor。",
    "one_cycle_lr:falls-over-total":
        "下降段一直延伸到第 total_steps 步；最后一步是 total_steps - 1，它应当得到最低的学习率。",
    "one_cycle_lr:integer-peak":
        "用 int() 把峰值向下取整到整数步；torch 把 pct_start * total_steps - 1 保留为浮点数，所以峰值可能落在两步之间。",
}
