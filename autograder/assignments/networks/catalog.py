"""Assignment 4, "Single-layer networks and losses": mistakes students make, and correct variants written
differently."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are, the losses
# raise a shorter ValueError, MLP indexes its layers and xor_forward writes its steps inline): many
# mistakes below are one of them with an edit or two, written edited(question, slug, misconception,
# (old, new), ...).
SOLUTIONS = {
    "mse": '''
def mse(pred, target, reduction="mean"):
    squared = (pred - target) ** 2
    if reduction == "mean":
        return squared.mean()
    if reduction == "sum":
        return squared.sum()
    if reduction == "none":
        return squared
    raise ValueError(reduction)
''',
    "bce": '''
def bce(p, y, reduction="mean"):
    log_p = torch.log(p).clamp(min=-100)
    log_not_p = torch.log(1 - p).clamp(min=-100)
    loss = -(y * log_p + (1 - y) * log_not_p)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(reduction)
''',
    "bce_with_logits": '''
def bce_with_logits(z, y, reduction="mean"):
    loss = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(reduction)
''',
    "cross_entropy": '''
def cross_entropy(logits, target, reduction="mean"):
    m = logits.amax(dim=1, keepdim=True)
    log_probs = logits - m - (logits - m).exp().sum(dim=1, keepdim=True).log()
    loss = -log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(reduction)
''',
    "xor_forward": '''
def xor_forward(x):
    W1 = torch.tensor([[1.0, -1.0], [1.0, -1.0]], dtype=x.dtype, device=x.device)
    b1 = torch.tensor([-0.5, 1.5], dtype=x.dtype, device=x.device)
    w2 = torch.tensor([1.0, 1.0], dtype=x.dtype, device=x.device)
    hidden = (x @ W1 + b1 >= 0).to(x.dtype)
    return (hidden @ w2 - 1.5 >= 0).to(x.dtype)
''',
    "MyLinear": '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        if bias:
            self.bias = torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias
''',
    "MLP": '''
class MLP(torch.nn.Module):
    def __init__(self, sizes, activation=torch.nn.ReLU):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.activation = activation()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)
''',
}
edited = partial(_edited, base=SOLUTIONS)

# The solution's three lines that compute cross_entropy's per-sample loss (several mistakes replace them), and
# xor_forward's three weight tensors (two mistakes drop an argument from each).
_CE_LOSS = ("m = logits.amax(dim=1, keepdim=True)\n"
            "    log_probs = logits - m - (logits - m).exp().sum(dim=1, keepdim=True).log()\n"
            "    loss = -log_probs.gather(1, target.unsqueeze(1)).squeeze(1)\n")
_XOR_WEIGHTS = ("[[1.0, -1.0], [1.0, -1.0]]", "[-0.5, 1.5]", "[1.0, 1.0]")


MISTAKES = [
    # ---- sigmoid
    Mistake("sigmoid", "naive-formula",
            "Computes 1 / (1 + exp(-z)) directly: the value survives, but for very negative z exp(-z) overflows "
            "to inf and the gradient becomes inf * 0 = nan; compute from exp(-|z|) instead.", '''
def sigmoid(z):
    return 1 / (1 + torch.exp(-z))
'''),
    Mistake("sigmoid", "where-both-branches",
            "Picks between 1 / (1 + exp(-z)) and exp(z) / (1 + exp(z)) with torch.where: the values are right, "
            "but autograd differentiates both branches, and the overflowing one makes the gradient nan.", '''
def sigmoid(z):
    return torch.where(z >= 0, 1 / (1 + torch.exp(-z)), torch.exp(z) / (1 + torch.exp(z)))
'''),
    Mistake("sigmoid", "exp-over-one-plus-exp",
            "Uses exp(z) / (1 + exp(z)), which is inf / inf = nan for large positive z.", '''
def sigmoid(z):
    e = torch.exp(z)
    return e / (1 + e)
'''),
    Mistake("sigmoid", "sign-flipped",
            "Writes 1 / (1 + exp(z)): that is sigmoid(-z), which falls from 1 to 0 instead of rising.", '''
def sigmoid(z):
    return 1 / (1 + torch.exp(z))
'''),
    # ---- softmax
    Mistake("softmax", "naive",
            "Computes exp(z) / sum(exp(z)) directly: exp(1010) overflows to inf and inf / inf gives nan; "
            "subtract the max along dim first.", '''
def softmax(z, dim=-1):
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
'''),
    Mistake("softmax", "global-max",
            "Subtracts the max of the whole tensor: rows far below it underflow to 0 / 0 = nan; use the max "
            "along `dim` (keepdim=True).", '''
def softmax(z, dim=-1):
    e = torch.exp(z - z.max())
    return e / e.sum(dim=dim, keepdim=True)
'''),
    Mistake("softmax", "ignores-dim",
            "Always normalises along the last dimension, whatever `dim` says.", '''
def softmax(z, dim=-1):
    e = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
'''),
    Mistake("softmax", "in-place-shift",
            "Subtracts the max in place (z -= ...): that changes the caller's tensor and fails for a tensor "
            "that requires grad; write shifted = z - max instead.", '''
def softmax(z, dim=-1):
    z -= z.amax(dim=dim, keepdim=True).detach()
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
'''),
    # ---- mse
    Mistake("mse", "ignores-reduction",
            "Always returns the mean, whatever `reduction` asks for.", '''
def mse(pred, target, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)
    return ((pred - target) ** 2).mean()
'''),
    edited("mse", "divides-by-len",
           "Divides the sum by len(pred), the number of rows; the mean divides by the number of elements.",
           ("squared.mean()", "squared.sum() / len(pred)")),
    edited("mse", "absolute-error", "Uses |pred - target| (the L1 loss); MSE squares the errors.",
           ("squared = (pred - target) ** 2", "err = (pred - target).abs()"),
           ("squared.mean", "err.mean"),
           ("squared.sum", "err.sum"),
           ("squared", "err")),
    edited("mse", "unknown-reduction-is-none",
           "Treats any unknown reduction as 'none'; a typo like 'avg' should raise ValueError, as torch does.",
           ('if reduction == "none":\n'
            "        return squared\n"
            "    raise ValueError(reduction)\n",
            "return squared\n")),
    # ---- bce
    edited("bce", "no-clamp",
           "Takes log(p) unclamped: p = 0 gives log(0) = -inf and 0 * -inf = nan; torch clamps each log at -100.",
           ("log_p = torch.log(p).clamp(min=-100)\n"
            "    log_not_p = torch.log(1 - p).clamp(min=-100)\n"
            "    loss = -(y * log_p + (1 - y) * log_not_p)\n",
            "loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))\n")),
    edited("bce", "epsilon-clamp",
           "Clamps p into [1e-7, 1 - 1e-7] before the log; torch clamps the log itself at -100, so p = 0 with "
           "y = 1 costs 100, not 16.1.",
           ("log_p = torch.log(p).clamp(min=-100)\n"
            "    log_not_p = torch.log(1 - p).clamp(min=-100)\n"
            "    loss = -(y * log_p + (1 - y) * log_not_p)\n",
            "p = p.clamp(1e-7, 1 - 1e-7)\n"
            "    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))\n")),
    edited("bce", "swapped-terms", "Pairs y with log(1 - p) and 1 - y with log(p); y = 1 should be scored by log(p).",
           ("log_p = torch.log(p).clamp(min=-100)\n"
            "    log_not_p = torch.log(1 - p).clamp(min=-100)\n"
            "    loss = -(y * log_p + (1 - y) * log_not_p)\n",
            "loss = -(y * torch.log(1 - p).clamp(min=-100) + (1 - y) * torch.log(p).clamp(min=-100))\n")),
    # ---- bce_with_logits
    edited("bce_with_logits", "via-sigmoid",
           "Computes sigmoid(z) and then the BCE of probabilities: for large |z| sigmoid rounds to exactly "
           "0 or 1 and the log loses everything; use max(z, 0) - z y + log1p(exp(-|z|)).",
           ("loss = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))\n",
            "p = torch.sigmoid(z)\n"
            "    loss = -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100))\n")),
    edited("bce_with_logits", "naive-softplus",
           "Uses log(1 + exp(z)) - z y: exp(z) overflows to inf for large z; rewrite it as "
           "max(z, 0) + log1p(exp(-|z|)) - z y.",
           ("z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))", "torch.log(1 + torch.exp(z)) - z * y")),
    edited("bce_with_logits", "no-abs",
           "Writes max(z, 0) - z y + log(1 + exp(-z)) without the absolute value: exp(-z) overflows for very "
           "negative z, and the formula is only right for z >= 0.",
           ("z.abs()", "z")),
    edited("bce_with_logits", "plus-zy",
           "Adds z y instead of subtracting it: the loss is max(z, 0) - z y + log1p(exp(-|z|)).",
           ("loss = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))",
            "loss = z.clamp(min=0) + z * y + torch.log1p(torch.exp(-z.abs()))")),
    # ---- cross_entropy
    edited("cross_entropy", "log-of-softmax",
           "Takes log(softmax(logits)): a probability that underflows to 0 gives log(0) = -inf; compute the "
           "log-softmax directly as logits - logsumexp(logits).",
           (_CE_LOSS,
            "probs = torch.softmax(logits, dim=1)\n"
            "    loss = -torch.log(probs.gather(1, target.unsqueeze(1))).squeeze(1)\n")),
    edited("cross_entropy", "fancy-index-matrix",
           "Indexes log_probs[:, target], which picks an (N, N) matrix (every row with every target); pick one "
           "entry per row with gather(1, target.unsqueeze(1)).",
           (_CE_LOSS,
            "log_probs = torch.log_softmax(logits, dim=1)\n"
            "    picked = -log_probs[:, target]\n"),
           ("loss.mean()", "picked.mean()"), ("loss.sum()", "picked.sum()"), ("return loss\n", "return picked.mean(dim=1)\n")),
    edited("cross_entropy", "softmax-over-batch",
           "Normalises over dim 0 (the batch); each row's probabilities are normalised over its classes, dim 1.",
           ("m = logits.amax(dim=1, keepdim=True)\n"
            "    log_probs = logits - m - (logits - m).exp().sum(dim=1, keepdim=True).log()\n",
            "log_probs = torch.log_softmax(logits, dim=0)\n")),
    edited("cross_entropy", "mean-over-classes",
           "Averages over all N * C log-probabilities of a one-hot product; the mean is over the N samples only.",
           (_CE_LOSS,
            "log_probs = torch.log_softmax(logits, dim=1)\n"
            "    onehot = torch.zeros_like(logits).scatter(1, target.unsqueeze(1), 1.0)\n"
            "    terms = -(onehot * log_probs)\n"),
           ("loss.mean()", "terms.mean()"), ("loss.sum()", "terms.sum()"), ("return loss\n", "return terms.sum(dim=1)\n")),
    # ---- step_neuron
    Mistake("step_neuron", "strict-inequality",
            "Uses > 0; the step function is 1 at exactly 0 (x @ w + b >= 0), which is what makes the course's "
            "gates work on their boundary points.", '''
def step_neuron(x, w, b):
    return (x @ w + b > 0).to(x.dtype)
'''),
    Mistake("step_neuron", "bool-output",
            "Returns the comparison's bool tensor; a neuron outputs numbers: convert with .to(x.dtype).", '''
def step_neuron(x, w, b):
    return x @ w + b >= 0
'''),
    Mistake("step_neuron", "hard-coded-float32",
            "Converts with .float(): keep x's dtype (.to(x.dtype)) so float64 inputs give float64 outputs.", '''
def step_neuron(x, w, b):
    return (x @ w + b >= 0).float()
'''),
    # ---- xor_forward
    Mistake("xor_forward", "one-layer",
            "Uses a single step neuron: no straight line separates XOR's 1s from its 0s, so one layer gets at "
            "least one of the four inputs wrong.", '''
def xor_forward(x):
    w = torch.tensor([1.0, 1.0], dtype=x.dtype, device=x.device)
    return (x @ w - 0.5 >= 0).to(x.dtype)
'''),
    edited("xor_forward", "float32-weights",
           "Creates the weights with torch.tensor's default dtype (float32): a float64 input cannot be "
           "multiplied by them; pass dtype=x.dtype.",
           *((f"{w}, dtype=x.dtype, device=x.device)", f"{w}, device=x.device)") for w in _XOR_WEIGHTS)),
    edited("xor_forward", "cpu-weights",
           "Creates the weights on the default device (the CPU): for an input on another device, pass "
           "device=x.device too.",
           *((f"{w}, dtype=x.dtype, device=x.device)", f"{w}, dtype=x.dtype)") for w in _XOR_WEIGHTS)),
    edited("xor_forward", "column-output",
           "Multiplies by a (2, 1) weight matrix and returns shape (N, 1); the result should have shape (N,).",
           ("w2 = torch.tensor([1.0, 1.0], dtype=x.dtype, device=x.device)",
            "W2 = torch.tensor([[1.0], [1.0]], dtype=x.dtype, device=x.device)"),
           ("return (hidden @ w2 - 1.5 >= 0).to(x.dtype)", "return (hidden @ W2 - 1.5 >= 0).to(x.dtype)")),
]

VARIANTS = [
    Variant("sigmoid", "tanh", "the identity sigmoid(z) = (1 + tanh(z / 2)) / 2", '''
def sigmoid(z):
    return 0.5 * (1 + torch.tanh(z / 2))
'''),
    Variant("sigmoid", "softplus", "exp(-softplus(-z)), with torch's stable softplus", '''
def sigmoid(z):
    return torch.exp(-torch.nn.functional.softplus(-z))
'''),
    Variant("softmax", "logsumexp", "exp(z - logsumexp(z))", '''
def softmax(z, dim=-1):
    return torch.exp(z - torch.logsumexp(z, dim=dim, keepdim=True))
'''),
    Variant("softmax", "movedim-loop", "moves dim last and loops over the rows", '''
def softmax(z, dim=-1):
    moved = z.movedim(dim, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = []
    for row in rows:
        e = (row - row.max()).exp()
        out.append(e / e.sum())
    result = torch.stack(out) if out else rows
    return result.reshape(moved.shape).movedim(-1, dim)
'''),
    Variant("mse", "dict-of-reductions", "a dict of reduction functions and a float64 mean", '''
def mse(pred, target, reduction="mean"):
    reduce = {"mean": lambda t: (t.double().sum() / t.numel()).to(t.dtype),
              "sum": torch.sum, "none": lambda t: t}
    if reduction not in reduce:
        raise ValueError(f"unknown reduction {reduction}")
    diff = pred - target
    return reduce[reduction](diff * diff)
'''),
    Variant("mse", "match", "a match statement and torch.square", '''
def mse(pred, target, reduction="mean"):
    squared = torch.square(pred - target)
    match reduction:
        case "none":
            return squared
        case "sum":
            return torch.sum(squared)
        case "mean":
            return torch.mean(squared)
        case _:
            raise ValueError(reduction)
'''),
    Variant("bce", "where-labels", "log1p(-p) for log(1 - p), clamp_min, and the reduction called by name", '''
def bce(p, y, reduction="mean"):
    log_p = torch.log(p).clamp_min(-100.0)
    log_q = torch.log1p(-p).clamp_min(-100.0)
    loss = -(y * log_p + (1 - y) * log_q)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)
    return loss if reduction == "none" else getattr(loss, reduction)()
'''),
    Variant("bce", "maximum", "torch.maximum against a -100 tensor", '''
def bce(p, y, reduction="mean"):
    floor = torch.tensor(-100.0, dtype=p.dtype, device=p.device)
    loss = -(y * torch.maximum(p.log(), floor) + (1 - y) * torch.maximum((1 - p).log(), floor))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / loss.numel()  # 0 / 0 = nan for an empty batch, like torch
    raise ValueError(reduction)
'''),
    Variant("bce_with_logits", "logaddexp", "log(1 + exp(z)) written as logaddexp(0, z)", '''
def bce_with_logits(z, y, reduction="mean"):
    loss = torch.logaddexp(torch.zeros_like(z), z) - z * y
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(reduction)
'''),
    Variant("bce_with_logits", "softplus", "y softplus(-z) + (1 - y) softplus(z), with torch's softplus", '''
def bce_with_logits(z, y, reduction="mean"):
    softplus = torch.nn.functional.softplus
    loss = y * softplus(-z) + (1 - y) * softplus(z)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()
'''),
    Variant("cross_entropy", "one-hot-logsumexp", "logsumexp minus the target logit, picked with a one-hot mask", '''
def cross_entropy(logits, target, reduction="mean"):
    classes = torch.arange(logits.shape[1], device=logits.device)
    mask = (target.unsqueeze(1) == classes).to(logits.dtype)
    loss = torch.logsumexp(logits, dim=1) - (mask * logits).sum(dim=1)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(reduction)
'''),
    Variant("cross_entropy", "fancy-index-nll", "logits - logsumexp, then entries picked by (arange, target) indexing",
            '''
def cross_entropy(logits, target, reduction="mean"):
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    loss = -log_probs[torch.arange(len(target), device=logits.device), target]
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)
    return loss if reduction == "none" else (loss.mean() if reduction == "mean" else loss.sum())
'''),
    Variant("step_neuron", "heaviside", "torch.heaviside with value 1 at 0", '''
def step_neuron(x, w, b):
    z = (x * w).sum(dim=1) + b
    return torch.heaviside(z, torch.ones_like(z))
'''),
    Variant("step_neuron", "where-matmul", "torch.where on matmul's result, against -b", '''
def step_neuron(x, w, b):
    z = torch.matmul(x, w)
    return torch.where(z >= -b, torch.ones_like(z), torch.zeros_like(z))
'''),
    Variant("xor_forward", "nand-or-and", "hidden units NAND and OR as separate step neurons, then AND", '''
def xor_forward(x):
    def unit(inputs, weights, bias):
        w = torch.tensor(weights, dtype=inputs.dtype, device=inputs.device)
        return (inputs @ w + bias >= 0).to(inputs.dtype)

    nand = unit(x, [-2.0, -2.0], 3.0)
    or_ = unit(x, [2.0, 2.0], -1.0)
    return unit(torch.stack([nand, or_], dim=1), [1.0, 1.0], -2.0)
'''),
    Variant("xor_forward", "nn-linear", "two nn.Linear layers with weights set under no_grad", '''
def xor_forward(x):
    hidden = torch.nn.Linear(2, 2).to(x.device, x.dtype)
    out = torch.nn.Linear(2, 1).to(x.device, x.dtype)
    with torch.no_grad():
        hidden.weight.copy_(torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
        hidden.bias.copy_(torch.tensor([-0.5, 1.5]))
        out.weight.fill_(1.0)
        out.bias.fill_(-1.5)
        h = (hidden(x) >= 0).to(x.dtype)
        return (out(h) >= 0).to(x.dtype).squeeze(1)
'''),
]

NEW_MISTAKES = [
    # ---- MyLinear
    edited("MyLinear", "weight-in-by-out",
           "Stores weight as (in_features, out_features) and computes x @ weight; nn.Linear keeps one row per output "
           "neuron, (out_features, in_features), and computes x @ weight.T, so its state_dict would not load.",
           ("out_features, in_features", "in_features, out_features"),
           ("self.weight.T", "self.weight")),
    Mistake("MyLinear", "no-super-init",
            "Forgets super().__init__() in __init__: nn.Module's registries do not exist yet, so assigning an "
            "nn.Parameter raises an AttributeError.", '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, x):
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias
'''),
    Mistake("MyLinear", "plain-tensors",
            "Keeps weight and bias as plain tensors with requires_grad=True instead of nn.Parameters: they are not "
            "registered, so parameters(), state_dict() and .to() never see them.", '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound).requires_grad_()
        self.bias = torch.empty(out_features).uniform_(-bound, bound).requires_grad_() if bias else None

    def forward(self, x):
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias
'''),
    edited("MyLinear", "bias-ignored",
           "Creates the bias but never adds it in forward: with bias=True the output is x @ weight.T + bias.",
           ("out = x @ self.weight.T\n"
            "        return out if self.bias is None else out + self.bias\n",
            "return x @ self.weight.T\n")),
    Mistake("MyLinear", "bias-despite-false",
            "Always creates a bias, even with bias=False; nn.Linear(bias=False) has no bias parameter at all.", '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, x):
        return x @ self.weight.T + self.bias
'''),
    edited("MyLinear", "relu-kaiming-bound",
           "Draws from U(-sqrt(6 / in_features), sqrt(6 / in_features)), Kaiming's bound for ReLU; nn.Linear's "
           "kaiming_uniform_ with a=sqrt(5) gives the narrower bound 1 / sqrt(in_features).",
           ("1 / math.sqrt(in_features)", "math.sqrt(6 / in_features)")),
    edited("MyLinear", "fan-out-bound",
           "Uses 1 / sqrt(out_features) as the bound; nn.Linear's bound comes from the fan-in, 1 / sqrt(in_features).",
           ("math.sqrt(in_features)", "math.sqrt(out_features)")),
    edited("MyLinear", "randn-init",
           "Initialises with torch.randn (standard normal): values far outside nn.Linear's uniform range "
           "[-1/sqrt(in_features), 1/sqrt(in_features)].",
           ("bound = 1 / math.sqrt(in_features)\n"
            "        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))\n",
            "self.weight = torch.nn.Parameter(torch.randn(out_features, in_features))\n"),
           ("torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))",
            "torch.nn.Parameter(torch.randn(out_features))")),
    edited("MyLinear", "zero-bias",
           "Starts the bias at zero; nn.Linear draws its bias from U(-1/sqrt(in_features), 1/sqrt(in_features)) too.",
           ("torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))",
            "torch.nn.Parameter(torch.zeros(out_features))")),
    edited("MyLinear", "mm-2d-only",
           "Uses torch.mm, which takes 2-D matrices only: a single sample (in_features,) or a batch with more "
           "leading dimensions fails; x @ weight.T works for any (..., in_features).",
           ("x @ self.weight.T", "torch.mm(x, self.weight.T)")),
    edited("MyLinear", "view-flatten",
           "Flattens the batch with x.view(-1, in_features): view needs contiguous memory and fails on a "
           "transposed or sliced input; use reshape, or x @ weight.T directly.",
           ("super().__init__()\n",
            "super().__init__()\n"
            "        self.in_features, self.out_features = in_features, out_features\n"),
           ("out = x @ self.weight.T\n"
            "        return out if self.bias is None else out + self.bias\n",
            "flat = x.view(-1, self.in_features) @ self.weight.T\n"
            "        if self.bias is not None:\n"
            "            flat = flat + self.bias\n"
            "        return flat.view(*x.shape[:-1], self.out_features)\n")),
    edited("MyLinear", "fixed-generator",
           "Draws the initial values from a torch.Generator seeded with a constant inside __init__: every new "
           "layer starts with the same weights, and torch.manual_seed has no effect.",
           ("super().__init__()\n",
            "super().__init__()\n"
            "        g = torch.Generator().manual_seed(0)\n"),
           ("torch.empty(out_features, in_features).uniform_(-bound, bound)",
            "torch.rand(out_features, in_features, generator=g) * 2 * bound - bound"),
           ("torch.empty(out_features).uniform_(-bound, bound)",
            "torch.rand(out_features, generator=g) * 2 * bound - bound")),
    # ---- MLP
    edited("MLP", "python-list",
           "Keeps the layers in a plain Python list: nn.Module does not look inside lists, so parameters() and "
           "state_dict() are empty and nothing would be trained; use nn.ModuleList.",
           ("torch.nn.ModuleList([torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])",
            "[torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]")),
    edited("MLP", "activation-on-output",
           "Applies the activation after the last layer too: the output layer should return logits, and a ReLU "
           "there would cut every negative logit to 0.",
           ("self.layers[:-1]", "self.layers"),
           ("self.layers[-1](x)", "x")),
    edited("MLP", "always-relu", "Ignores the `activation` argument and always uses ReLU between the layers.",
           ("        self.activation = activation()\n", ""),
           ("self.activation", "torch.relu")),
    edited("MLP", "missing-last-layer",
           "Loops over range(len(sizes) - 2) and so builds one layer too few: a network over n sizes has n - 1 "
           "layers, the last one mapping to sizes[-1].",
           ("torch.nn.ModuleList([torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])",
            "torch.nn.ModuleList([torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 2)])")),
    edited("MLP", "no-activation",
           "Stacks the linear layers with no activation between them: the whole network is then one linear map, "
           "which cannot learn XOR however many layers it has.",
           ("        self.activation = activation()\n", ""),
           ("for layer in self.layers[:-1]:\n"
            "            x = self.activation(layer(x))\n"
            "        return self.layers[-1](x)\n",
            "for layer in self.layers:\n"
            "            x = layer(x)\n"
            "        return x\n")),
    edited("MLP", "activation-before-layer",
           "Applies the activation to each layer's input (activation(x), then the layer), so the raw input is "
           "squashed too and the last layer's output is left alone only by accident of order.",
           ("for layer in self.layers[:-1]:\n"
            "            x = self.activation(layer(x))\n"
            "        return self.layers[-1](x)\n",
            "for layer in self.layers:\n"
            "            x = layer(self.activation(x))\n"
            "        return x\n")),
]

NEW_VARIANTS = [
    Variant("MyLinear", "nn-init-matmul", "torch.empty parameters filled by nn.init.kaiming_uniform_(a=sqrt(5)), "
            "torch.matmul with weight.t()", '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features))
        torch.nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            self.bias = torch.nn.Parameter(torch.empty(out_features))
            bound = 1 / math.sqrt(in_features)
            torch.nn.init.uniform_(self.bias, -bound, bound)
        else:
            self.bias = None

    def forward(self, x):
        y = torch.matmul(x, self.weight.t())
        if self.bias is not None:
            y = y + self.bias
        return y
'''),
    Variant("MyLinear", "rand-einsum", "torch.rand scaled to the interval, register_parameter, and einsum", '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = in_features ** -0.5
        self.register_parameter("weight", torch.nn.Parameter((torch.rand(out_features, in_features) * 2 - 1) * bound))
        b = torch.nn.Parameter((torch.rand(out_features) * 2 - 1) * bound) if bias else None
        self.register_parameter("bias", b)

    def forward(self, x):
        out = torch.einsum("...i,oi->...o", x, self.weight)
        return out + self.bias if self.bias is not None else out
'''),
    Variant("MyLinear", "reshape-addmm", "flattens with reshape and uses torch.addmm, for any layout and batch shape",
            '''
class MyLinear(torch.nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        if bias:
            self.bias = torch.nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        flat = x.reshape(-1, self.in_features)
        if self.bias is None:
            out = flat @ self.weight.T
        else:
            out = torch.addmm(self.bias, flat, self.weight.T)
        return out.reshape(*x.shape[:-1], self.out_features)
'''),
    Variant("MLP", "append-loop", "layers appended to an nn.ModuleList, the activation applied by index", '''
class MLP(torch.nn.Module):
    def __init__(self, sizes, activation=torch.nn.ReLU):
        super().__init__()
        self.layers = torch.nn.ModuleList()
        for i in range(len(sizes) - 1):
            self.layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        self.act = activation()

    def forward(self, x):
        n = len(self.layers)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < n - 1:
                x = self.act(x)
        return x
'''),
    Variant("MLP", "sequential-hidden", "one activation module per hidden layer, in a second nn.ModuleList, "
            "zipped with the layers", '''
class MLP(torch.nn.Module):
    def __init__(self, sizes, activation=torch.nn.ReLU):
        super().__init__()
        pairs = list(zip(sizes, sizes[1:]))
        self.layers = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in pairs)
        self.acts = torch.nn.ModuleList(activation() for _ in pairs[:-1])

    def forward(self, x):
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
        return self.layers[-1](x)
'''),
]

ISSUE18_MISTAKES = [
    Mistake("sigmoid", "empty-default-dtype",
            "Creates the output with torch.empty(z.shape) and fills it by masks: that tensor is float32 on the CPU "
            "whatever z is; use torch.empty_like(z).", '''
def sigmoid(z):
    out = torch.empty(z.shape)
    pos = z >= 0
    e = torch.exp(-z.abs())
    out[pos] = 1 / (1 + e[pos])
    out[~pos] = e[~pos] / (1 + e[~pos])
    return out
'''),
    Mistake("sigmoid", "view-flatten",
            "Flattens z with z.view(-1) to fill it by masks: .view() needs contiguous memory and fails on a "
            "transposed or sliced z; use reshape.", '''
def sigmoid(z):
    flat = z.view(-1)
    e = torch.exp(-flat.abs())
    out = torch.where(flat >= 0, 1 / (1 + e), e / (1 + e))
    return out.view(z.shape)
'''),
    Mistake("softmax", "subtract-mean",
            "Subtracts the mean along dim instead of the max: softmax(z - c) = softmax(z) for any c, but only the max "
            "keeps every exp() <= 1; a -inf entry (a mask) makes the mean -inf and the whole slice nan.", '''
def softmax(z, dim=-1):
    e = torch.exp(z - z.mean(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)
'''),
    Mistake("softmax", "view-rows",
            "Takes a fast path for the last dim with z.view(-1, n): .view() fails on a transposed or sliced z; "
            "use reshape, or reduce along dim directly.", '''
def softmax(z, dim=-1):
    if dim in (-1, z.dim() - 1):
        rows = z.view(-1, z.shape[-1])
        e = torch.exp(rows - rows.amax(dim=1, keepdim=True))
        return (e / e.sum(dim=1, keepdim=True)).view(z.shape)
    e = torch.exp(z - z.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)
'''),
    edited("mse", "in-place-difference",
           "Computes the difference in place (pred.sub_(target)) to save memory: the caller's predictions are "
           "overwritten by the errors.",
           ("(pred - target)", "pred.sub_(target)")),
    edited("mse", "view-flatten",
           "Flattens pred and target with .view(-1): .view() fails on a transposed, sliced or expanded tensor; use "
           "reshape, or no flattening at all.",
           ("pred - target", "pred.view(-1) - target.view(-1)"),
           ("return squared\n", "return squared.view(pred.shape)\n")),
    edited("bce", "nan-to-num-cleanup",
           "Takes unclamped logs and cleans the result with torch.nan_to_num(nan=0, posinf=100): right for hard "
           "labels, but a soft label against p = 0 or 1 gets 100 instead of y * 100; clamp each log at -100.",
           ("log_p = torch.log(p).clamp(min=-100)\n"
            "    log_not_p = torch.log(1 - p).clamp(min=-100)\n"
            "    loss = -(y * log_p + (1 - y) * log_not_p)\n",
            "loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))\n"
            "    loss = torch.nan_to_num(loss, nan=0.0, posinf=100.0)\n")),
    edited("bce", "where-on-labels",
           "Picks -log(p) where y == 1 and -log(1 - p) elsewhere: that assumes 0/1 targets, but soft labels "
           "weigh both terms, y log p + (1 - y) log(1 - p).",
           ("log_p = torch.log(p).clamp(min=-100)\n"
            "    log_not_p = torch.log(1 - p).clamp(min=-100)\n"
            "    loss = -(y * log_p + (1 - y) * log_not_p)\n",
            "loss = -torch.where(y == 1, torch.log(p).clamp(min=-100), torch.log(1 - p).clamp(min=-100))\n")),
    edited("bce_with_logits", "rounded-labels",
           "Rounds the targets to 0 or 1 first: BCEWithLogitsLoss accepts any target in [0, 1] (soft labels).",
           ('def bce_with_logits(z, y, reduction="mean"):\n',
            'def bce_with_logits(z, y, reduction="mean"):\n'
            "    y = y.round()\n")),
    edited("bce_with_logits", "epsilon-sigmoid",
           "Computes sigmoid(z) clamped into [1e-7, 1 - 1e-7] and takes the BCE of that: the loss is capped at "
           "-log(1e-7) = 16.1, while a logit of -1000 with target 1 should cost 1000.",
           ("loss = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))\n",
            "p = torch.sigmoid(z).clamp(1e-7, 1 - 1e-7)\n"
            "    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))\n")),
    edited("cross_entropy", "target-unsqueeze-in-place",
           "Calls target.unsqueeze_(1) for gather: the in-place version changes the caller's target to shape "
           "(N, 1); use target.unsqueeze(1).",
           (_CE_LOSS,
            "log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)\n"
            "    loss = -log_probs.gather(1, target.unsqueeze_(1)).squeeze(1)\n")),
    edited("cross_entropy", "global-max",
           "Subtracts the max of the whole batch, not of each row: a row far below it underflows, exp() of all its "
           "entries is 0 and its log-probabilities become -inf.",
           ("m = logits.amax(dim=1, keepdim=True)\n"
            "    log_probs = logits - m - (logits - m).exp().sum(dim=1, keepdim=True).log()\n",
            "shifted = logits - logits.max()\n"
            "    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()\n")),
    edited("cross_entropy", "one-hot-without-num-classes",
           "Builds the one-hot mask with F.one_hot(target) without num_classes: it then has max(target) + 1 "
           "columns, too few when the last class is missing from the batch.",
           (_CE_LOSS,
            "mask = torch.nn.functional.one_hot(target).to(logits.dtype)\n"
            "    loss = torch.logsumexp(logits, dim=1) - (mask * logits).sum(dim=1)\n")),
    Mistake("step_neuron", "weights-in-place",
            "Multiplies x by w in place (x.mul_(w)) before summing: the caller's inputs are overwritten.", '''
def step_neuron(x, w, b):
    return (x.mul_(w).sum(dim=1) + b >= 0).to(x.dtype)
'''),
    Mistake("step_neuron", "sign-shifted",
            "Uses (sign(z) + 1) / 2 as the step: it gives 0.5 where x @ w + b is exactly 0, where the step is 1.",
            '''
def step_neuron(x, w, b):
    return (torch.sign(x @ w + b) + 1) / 2
'''),
    Mistake("xor_forward", "plus-minus-in-place",
            "Maps the inputs from 0/1 to -1/+1 in place (x.mul_(2).sub_(1)): the caller's x is changed (and an "
            "expanded x cannot be written at all).", '''
def xor_forward(x):
    x.mul_(2).sub_(1)
    W1 = torch.tensor([[0.5, -0.5], [0.5, -0.5]], dtype=x.dtype, device=x.device)
    b1 = torch.tensor([0.5, 0.5], dtype=x.dtype, device=x.device)
    hidden = (x @ W1 + b1 >= 0).to(x.dtype)
    return (hidden.sum(dim=1) - 1.5 >= 0).to(x.dtype)
'''),
    edited("xor_forward", "integer-hidden-layer",
           "Turns the hidden step outputs into integers with .long(): the next layer's float weights cannot be "
           "multiplied with them; keep x's dtype.",
           ("hidden = (x @ W1 + b1 >= 0).to(x.dtype)", "hidden = (x @ W1 + b1 >= 0).long()")),
]

MISTAKES += NEW_MISTAKES + ISSUE18_MISTAKES
VARIANTS += NEW_VARIANTS

# The misconceptions in Chinese (the glossary's terms), attached by autograder.catalog.catalog().
ZH = {
    "sigmoid:naive-formula":
        "直接计算 1 / (1 + exp(-z))：函数值没问题，但 z 是很大的负数时 exp(-z) 上溢成 inf，梯度变成 inf * 0 = nan；"
        "请改为从 exp(-|z|) 出发计算。",
    "sigmoid:where-both-branches":
        "用 torch.where 在 1 / (1 + exp(-z)) 和 exp(z) / (1 + exp(z)) 之间选择：函数值是对的，但自动求导会对两个分支都求导，"
        "上溢的那个分支让梯度变成 nan。",
    "sigmoid:exp-over-one-plus-exp":
        "用 exp(z) / (1 + exp(z)) 计算：z 是很大的正数时，它是 inf / inf = nan。",
    "sigmoid:sign-flipped":
        "写成了 1 / (1 + exp(z))：那是 sigmoid(-z)，它从 1 降到 0，而不是上升。",
    "softmax:naive":
        "直接计算 exp(z) / sum(exp(z))：exp(1010) 上溢成 inf，inf / inf 得到 nan；请先沿 dim 减去最大值。",
    "softmax:global-max":
        "减去的是整个张量的最大值：远低于它的那些行会下溢成 0 / 0 = nan；请用沿 `dim` 的最大值（keepdim=True）。",
    "softmax:ignores-dim":
        "不管 `dim` 是多少，总是沿最后一维归一化。",
    "softmax:in-place-shift":
        "原地减去最大值（z -= ...）：这会改变调用者的张量，对需要梯度的张量还会出错；请写 shifted = z - max。",
    "mse:ignores-reduction":
        "不管 `reduction` 要求什么，总是返回平均值。",
    "mse:divides-by-len":
        "用总和除以 len(pred)，也就是行数；平均值应当除以元素的总个数。",
    "mse:absolute-error":
        "用的是 |pred - target|（L1 损失）；MSE 要对误差取平方。",
    "mse:unknown-reduction-is-none":
        "把任何未知的归约方式都当作 'none'；像 'avg' 这样的拼写错误应当像 torch 一样抛出 ValueError。",
    "bce:no-clamp":
        "对 log(p) 不做截断：p = 0 时 log(0) = -inf，0 * -inf = nan；torch 会把每个对数截断在 -100。",
    "bce:epsilon-clamp":
        "在取对数之前把 p 截断到 [1e-7, 1 - 1e-7]；torch 截断的是对数本身（在 -100），所以 p = 0、y = 1 的损失是 100，而不是 16.1。",
    "bce:swapped-terms":
        "把 y 与 log(1 - p) 配对、把 1 - y 与 log(p) 配对；y = 1 时应当用 log(p) 来计分。",
    "bce_with_logits:via-sigmoid":
        "先算 sigmoid(z)，再对概率计算 BCE：|z| 很大时 sigmoid 被舍入成恰好 0 或 1，取对数后信息全部丢失；"
        "请用 max(z, 0) - z y + log1p(exp(-|z|))。",
    "bce_with_logits:naive-softplus":
        "用 log(1 + exp(z)) - z y 计算：z 很大时 exp(z) 上溢成 inf；请改写成 max(z, 0) + log1p(exp(-|z|)) - z y。",
    "bce_with_logits:no-abs":
        "写成 max(z, 0) - z y + log(1 + exp(-z))，漏了绝对值：z 是很大的负数时 exp(-z) 上溢，而且这个公式只在 z >= 0 时成立。",
    "bce_with_logits:plus-zy":
        "加上了 z y，而不是减去它：损失应为 max(z, 0) - z y + log1p(exp(-|z|))。",
    "cross_entropy:log-of-softmax":
        "计算 log(softmax(logits))：下溢成 0 的概率会得到 log(0) = -inf；请直接计算对数 Softmax：logits - logsumexp(logits)。",
    "cross_entropy:fancy-index-matrix":
        "用 log_probs[:, target] 取值，得到的是一个 (N, N) 矩阵（每一行配上每一个目标）；请用 gather(1, target.unsqueeze(1)) "
        "从每行取一个元素。",
    "cross_entropy:softmax-over-batch":
        "沿第 0 维（批量维度）归一化；每一行的概率应当在它自己的各个类别上归一化，也就是第 1 维。",
    "cross_entropy:mean-over-classes":
        "对独热编码乘积的全部 N * C 个对数概率求平均；平均只应针对 N 个样本。",
    "step_neuron:strict-inequality":
        "用了 > 0；阶跃函数在恰好为 0 处取 1（x @ w + b >= 0），课程中的逻辑门正是靠这一点在边界点上正确工作。",
    "step_neuron:bool-output":
        "返回了比较运算得到的布尔张量；神经元输出的是数值：请用 .to(x.dtype) 转换。",
    "step_neuron:hard-coded-float32":
        "用 .float() 转换：请保持 x 的数据类型（.to(x.dtype)），这样 float64 的输入会得到 float64 的输出。",
    "xor_forward:one-layer":
        "只用了一个阶跃神经元：没有任何一条直线能把异或的 1 和 0 分开，所以单层网络至少会把四个输入中的一个算错。",
    "xor_forward:float32-weights":
        "用 torch.tensor 的默认数据类型（float32）创建权重：float64 的输入无法与它们相乘；请传入 dtype=x.dtype。",
    "xor_forward:cpu-weights":
        "在默认设备（CPU）上创建权重：输入在其他设备上时，还要传入 device=x.device。",
    "xor_forward:column-output":
        "乘以一个 (2, 1) 的权重矩阵，返回形状 (N, 1)；结果的形状应当是 (N,)。",
    "MyLinear:weight-in-by-out":
        "把 weight 存成 (in_features, out_features) 并计算 x @ weight；nn.Linear 每个输出神经元占一行，形状是 "
        "(out_features, in_features)，计算 x @ weight.T，所以它的 state_dict 加载不进来。",
    "MyLinear:no-super-init":
        "__init__ 中忘了 super().__init__()：nn.Module 的登记表还不存在，给 nn.Parameter 赋值会抛出 AttributeError。",
    "MyLinear:plain-tensors":
        "把 weight 和 bias 存成 requires_grad=True 的普通张量，而不是 nn.Parameter：它们没有被登记，parameters()、"
        "state_dict() 和 .to() 都看不到它们。",
    "MyLinear:bias-ignored":
        "创建了偏置，却没有在 forward 中加上它：bias=True 时输出应为 x @ weight.T + bias。",
    "MyLinear:bias-despite-false":
        "即使 bias=False 也总是创建偏置；nn.Linear(bias=False) 完全没有偏置参数。",
    "MyLinear:relu-kaiming-bound":
        "从 U(-sqrt(6 / in_features), sqrt(6 / in_features)) 中抽取，这是针对 ReLU 的 Kaiming 边界；nn.Linear 用 "
        "a=sqrt(5) 的 kaiming_uniform_，得到的是更窄的边界 1 / sqrt(in_features)。",
    "MyLinear:fan-out-bound":
        "用 1 / sqrt(out_features) 作为边界；nn.Linear 的边界来自扇入（fan-in）：1 / sqrt(in_features)。",
    "MyLinear:randn-init":
        "用 torch.randn（标准正态分布）初始化：许多值远远超出 nn.Linear 的均匀分布区间 [-1/sqrt(in_features), 1/sqrt(in_features)]。",
    "MyLinear:zero-bias":
        "把偏置初始化为 0；nn.Linear 的偏置也是从 U(-1/sqrt(in_features), 1/sqrt(in_features)) 中抽取的。",
    "MyLinear:mm-2d-only":
        "用了只接受二维矩阵的 torch.mm：单个样本 (in_features,) 或有更多前导维度的批量会出错；x @ weight.T 对任意 "
        "(..., in_features) 都适用。",
    "MyLinear:view-flatten":
        "用 x.view(-1, in_features) 展平批量：view 需要连续的内存，对转置或切片得到的输入会出错；请用 reshape，或直接用 x @ weight.T。",
    "MyLinear:fixed-generator":
        "在 __init__ 中用一个固定种子的 torch.Generator 抽取初始值：每个新层的权重都一样，torch.manual_seed 也不起作用。",
    "MLP:python-list":
        "把各层放在普通的 Python 列表中：nn.Module 不会查看列表内部，所以 parameters() 和 state_dict() 都是空的，"
        "什么也不会被训练；请用 nn.ModuleList。",
    "MLP:activation-on-output":
        "在最后一层之后也用了激活函数：输出层应当返回 logits，那里的 ReLU 会把每个负的 logit 都截成 0。",
    "MLP:always-relu":
        "忽略了 `activation` 参数，层与层之间总是用 ReLU。",
    "MLP:missing-last-layer":
        "循环 range(len(sizes) - 2)，因而少建了一层：n 个大小对应 n - 1 个层，最后一层映射到 sizes[-1]。",
    "MLP:no-activation":
        "层与层之间没有激活函数：整个网络就只是一次线性变换，层数再多也学不会异或。",
    "MLP:activation-before-layer":
        "对每一层的输入先用激活函数（先 activation(x)，再过这一层），所以原始输入也被压缩了，而最后一层的输出没有经过激活只是顺序上的巧合。",
    "sigmoid:empty-default-dtype":
        "用 torch.empty(z.shape) 创建输出，再按掩码填值：不管 z 是什么，这个张量都是 CPU 上的 float32；请用 torch.empty_like(z)。",
    "sigmoid:view-flatten":
        "为了按掩码填值而用 z.view(-1) 展平 z：.view() 需要连续的内存，对转置或切片得到的 z 会出错；请用 reshape。",
    "softmax:subtract-mean":
        "沿 dim 减去的是平均值而不是最大值：对任意 c 都有 softmax(z - c) = softmax(z)，但只有减去最大值才能保证每个 "
        "exp() <= 1；含 -inf 的元素（掩码）会让平均值变成 -inf，整个切片都变成 nan。",
    "softmax:view-rows":
        "对最后一维走了 z.view(-1, n) 的捷径：对转置或切片得到的 z，.view() 会出错；请用 reshape，或直接沿 dim 归约。",
    "mse:in-place-difference":
        "为了省内存而原地计算差值（pred.sub_(target)）：调用者的预测值被误差覆盖了。",
    "mse:view-flatten":
        "用 .view(-1) 展平 pred 和 target：对转置、切片或扩展得到的张量，.view() 会出错；请用 reshape，或者根本不展平。",
    "bce:nan-to-num-cleanup":
        "不截断就取对数，再用 torch.nan_to_num(nan=0, posinf=100) 清理结果：对硬标签是对的，但软标签遇到 p = 0 或 1 时得到的是 100，"
        "而不是 y * 100；请把每个对数截断在 -100。",
    "bce:where-on-labels":
        "在 y == 1 处取 -log(p)，其他地方取 -log(1 - p)：这假定目标只有 0 和 1，而软标签要对两项加权：y log p + (1 - y) log(1 - p)。",
    "bce_with_logits:rounded-labels":
        "先把目标四舍五入成 0 或 1：BCEWithLogitsLoss 接受 [0, 1] 中的任意目标值（软标签）。",
    "bce_with_logits:epsilon-sigmoid":
        "把 sigmoid(z) 截断到 [1e-7, 1 - 1e-7] 再计算 BCE：损失的上限变成 -log(1e-7) = 16.1，而 logit 为 -1000、目标为 1 时损失应为 1000。",
    "cross_entropy:target-unsqueeze-in-place":
        "为了 gather 调用了 target.unsqueeze_(1)：原地版本会把调用者的 target 变成形状 (N, 1)；请用 target.unsqueeze(1)。",
    "cross_entropy:global-max":
        "减去的是整个批量的最大值，而不是每一行的最大值：远低于它的行会下溢，所有元素的 exp() 都是 0，对数概率变成 -inf。",
    "cross_entropy:one-hot-without-num-classes":
        "用 F.one_hot(target) 构造独热编码掩码时没有传 num_classes：它只有 max(target) + 1 列，当最后一个类别没有出现在批量中时列数就不够。",
    "step_neuron:weights-in-place":
        "求和之前原地把 x 乘以 w（x.mul_(w)）：调用者的输入被覆盖了。",
    "step_neuron:sign-shifted":
        "用 (sign(z) + 1) / 2 作为阶跃函数：在 x @ w + b 恰好为 0 处它给出 0.5，而阶跃函数在那里应为 1。",
    "xor_forward:plus-minus-in-place":
        "原地把输入从 0/1 映射成 -1/+1（x.mul_(2).sub_(1)）：调用者的 x 被改变了（而扩展得到的 x 根本无法写入）。",
    "xor_forward:integer-hidden-layer":
        "用 .long() 把隐藏层的阶跃输出变成整数：下一层的浮点权重无法与它们相乘；请保持 x 的数据类型。",
}
