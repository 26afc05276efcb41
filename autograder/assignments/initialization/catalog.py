"""Assignment 6, "Gradient stability and weight initialisation": mistakes students make, and correct
variants written differently."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are:
# fan_in_and_fan_out raises a shorter ValueError, init_model_ loops over model.modules() and fills the bias
# with torch.nn.init.constant_, layer_grad_norms stacks the norms in its return, dead_relu_fraction hooks a
# lambda and removes the hooks after the pass): many mistakes below are one of them with an edit or two,
# written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "fan_in_and_fan_out": '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    receptive_field = 1
    for side in shape[2:]:
        receptive_field *= side
    return shape[1] * receptive_field, shape[0] * receptive_field
''',
    "xavier_uniform_": '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
''',
    "xavier_normal_": '''
def xavier_normal_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.normal_(0.0, std)
''',
    "kaiming_uniform_": '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
''',
    "kaiming_normal_": '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    std = gains[nonlinearity] / fan ** 0.5
    with torch.no_grad():
        return tensor.normal_(0.0, std)
''',
    "init_model_": '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
''',
    "layer_grad_norms": '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    return torch.stack([m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)])
''',
    "dead_relu_fraction": '''
def dead_relu_fraction(model, x):
    outputs = []
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out == 0).all(dim=0).to(x.dtype).mean() for out in outputs])
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- fan_in_and_fan_out
    edited("fan_in_and_fan_out", "swapped",
           "Returns (fan_out, fan_in); a weight of shape (out, in, ...) has fan_in from dim 1 (the inputs) and "
           "fan_out from dim 0.",
           ("shape[1] * receptive_field, shape[0]", "shape[0] * receptive_field, shape[1]")),
    Mistake("fan_in_and_fan_out", "no-receptive-field",
            "Uses only shape[1] and shape[0]; for a conv weight both fans are multiplied by the kernel size "
            "(the receptive field, the product of shape[2:]).", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    return shape[1], shape[0]
'''),
    edited("fan_in_and_fan_out", "receptive-field-in-fan-in-only",
           "Multiplies only fan_in by the kernel size; each output channel also connects through the whole "
           "kernel, so fan_out = shape[0] * receptive field too.",
           ("shape[0] * receptive_field", "shape[0]")),
    edited("fan_in_and_fan_out", "index-error",
           "Lets an IndexError escape for a shape with fewer than 2 dimensions (a bias); raise ValueError, like "
           "torch does.",
           ("    if len(shape) < 2:\n"
            '        raise ValueError("need at least 2 dimensions")\n',
            "")),
    edited("fan_in_and_fan_out", "list-not-tuple",
           "Returns a list [fan_in, fan_out]; the exercise asks for a tuple of two ints, as torch's own "
           "helper returns.",
           ("shape[1] * receptive_field, shape[0] * receptive_field",
            "[shape[1] * receptive_field, shape[0] * receptive_field]")),
    edited("fan_in_and_fan_out", "tensor-fans",
           "Computes the receptive field with torch.tensor(shape[2:]).prod(), so the fans are 0-d tensors, "
           "not ints; use math.prod or a loop over the ints.",
           ("receptive_field = 1\n"
            "    for side in shape[2:]:\n"
            "        receptive_field *= side\n",
            "receptive_field = torch.tensor(shape[2:], dtype=torch.int64).prod()\n")),
    # ---- xavier_uniform_
    edited("xavier_uniform_", "std-as-bound",
           "Uses the standard deviation gain * sqrt(2 / (fan_in + fan_out)) as the bound; U(-b, b) has std "
           "b / sqrt(3), so the bound is gain * sqrt(6 / (fan_in + fan_out)).",
           ("6.0 /", "2.0 /")),
    edited("xavier_uniform_", "no-receptive-field",
           "Takes fan_in = shape[1] and fan_out = shape[0] for a conv weight too; multiply both by the kernel "
           "size (tensor[0][0].numel()).",
           ("receptive_field = tensor[0][0].numel()\n"
            "    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field\n",
            "fan_in, fan_out = tensor.shape[1], tensor.shape[0]\n")),
    edited("xavier_uniform_", "no-no-grad",
           "Calls uniform_ outside torch.no_grad(): autograd refuses in-place changes to a parameter that "
           "requires grad (a layer's weight).",
           ("with torch.no_grad():\n"
            "        return tensor.uniform_(-bound, bound)\n",
            "return tensor.uniform_(-bound, bound)\n")),
    edited("xavier_uniform_", "new-tensor",
           "Returns a new tensor and leaves the argument unchanged; a function ending in _ fills its argument "
           "in place and returns it.",
           ("with torch.no_grad():\n"
            "        return tensor.uniform_(-bound, bound)\n",
            "return torch.empty_like(tensor).uniform_(-bound, bound).detach()\n")),
    edited("xavier_uniform_", "one-value-per-row",
           "Draws one value per output unit (torch.rand(tensor.shape[0], 1, ...)) and broadcasts it along the "
           "row, so every weight of a unit is the same; draw every element (tensor.uniform_(-b, b)).",
           ("tensor.uniform_(-bound, bound)",
            "tensor.copy_((torch.rand(tensor.shape[0], *[1] * (tensor.dim() - 1), dtype=tensor.dtype, device=tensor.device) * 2 - 1) * bound)")),
    edited("xavier_uniform_", "private-cpu-generator",
           "Draws with a torch.Generator() of its own, made on the CPU, for a tensor on another device: it "
           "runs on the CPU but fails on a GPU; use the global generator (tensor.uniform_).",
           ("bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5\n",
            "bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5\n"
            "    g = torch.Generator().manual_seed(int(torch.randint(2 ** 31, (1,))))\n"),
           ("tensor.uniform_(-bound, bound)",
            "tensor.copy_((torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device, generator=g) * 2 - 1) * bound)")),
    # ---- xavier_normal_
    edited("xavier_normal_", "variance-as-std",
           "Passes the variance gain^2 * 2 / (fan_in + fan_out) to normal_, whose second argument is the "
           "standard deviation.",
           ("    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5\n", ""),
           ("normal_(0.0, std)", "normal_(0.0, gain ** 2 * 2.0 / (fan_in + fan_out))")),
    edited("xavier_normal_", "ignores-gain",
           "Ignores `gain`; the standard deviation is gain * sqrt(2 / (fan_in + fan_out)).",
           ("    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5\n", ""),
           ("normal_(0.0, std)", "normal_(0.0, (2.0 / (fan_in + fan_out)) ** 0.5)")),
    Mistake("xavier_normal_", "no-receptive-field",
            "Takes fan_in = shape[1] and fan_out = shape[0] for a conv weight too; multiply both by the kernel "
            "size (tensor[0][0].numel()).", '''
def xavier_normal_(tensor, gain=1.0):
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]
    with torch.no_grad():
        return tensor.normal_(0.0, gain * (2.0 / (fan_in + fan_out)) ** 0.5)
'''),
    edited("xavier_normal_", "one-row-of-noise",
           "Draws one row of noise (torch.randn(tensor.shape[1:])) and broadcasts it over all output units, "
           "so every unit starts with the same weights; draw every element (tensor.normal_(0, std)).",
           ("tensor.normal_(0.0, std)",
            "tensor.copy_(torch.randn(tensor.shape[1:], dtype=tensor.dtype, device=tensor.device) * std)")),
    edited("xavier_normal_", "reseeds-inside",
           "Calls torch.manual_seed(0) inside the initialiser: every tensor it fills gets the same values and "
           "the caller's random state is reset; seed once, outside.",
           ("std = gain * (2.0 / (fan_in + fan_out)) ** 0.5\n",
            "std = gain * (2.0 / (fan_in + fan_out)) ** 0.5\n"
            "    torch.manual_seed(0)\n")),
    # ---- kaiming_uniform_
    edited("kaiming_uniform_", "swapped-mode",
           "Swaps the fans: mode='fan_in' divides by the number of inputs, shape[1] * kernel size, and "
           "mode='fan_out' by shape[0] * kernel size.",
           ('tensor.shape[1] if mode == "fan_in" else tensor.shape[0]',
            'tensor.shape[0] if mode == "fan_in" else tensor.shape[1]')),
    edited("kaiming_uniform_", "ignores-a",
           "Ignores the negative slope `a`: for leaky_relu the gain is sqrt(2 / (1 + a^2)), not always sqrt(2).",
           ('gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,\n'
            '             "linear": 1.0, "sigmoid": 1.0}\n',
            'gains = {"leaky_relu": 2.0 ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3, "linear": 1.0, "sigmoid": 1.0}\n')),
    edited("kaiming_uniform_", "slope-not-squared",
           "Uses sqrt(2 / (1 + a)); the leaky_relu gain squares the slope: sqrt(2 / (1 + a^2)).",
           ("a ** 2", "a")),
    edited("kaiming_uniform_", "std-as-bound",
           "Uses the standard deviation gain / sqrt(fan) as the bound; U(-b, b) has std b / sqrt(3), so "
           "b = sqrt(3) * gain / sqrt(fan).",
           ("(3.0 / fan) ** 0.5 * gains[nonlinearity]", "gains[nonlinearity] / fan ** 0.5")),
    edited("kaiming_uniform_", "one-value-per-row",
           "Draws one value per output unit (torch.rand(tensor.shape[0], 1, ...)) and broadcasts it along the "
           "row, so every weight of a unit is the same; draw every element (tensor.uniform_(-b, b)).",
           ("tensor.uniform_(-bound, bound)",
            "tensor.copy_((torch.rand(tensor.shape[0], *[1] * (tensor.dim() - 1), dtype=tensor.dtype, device=tensor.device) * 2 - 1) * bound)")),
    edited("kaiming_uniform_", "private-cpu-generator",
           "Draws with a torch.Generator() of its own, made on the CPU, for a tensor on another device: it "
           "runs on the CPU but fails on a GPU; use the global generator (tensor.uniform_).",
           ("bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]\n",
            "bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]\n"
            "    g = torch.Generator().manual_seed(int(torch.randint(2 ** 31, (1,))))\n"),
           ("tensor.uniform_(-bound, bound)",
            "tensor.copy_((torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device, generator=g) * 2 - 1) * bound)")),
    # ---- kaiming_normal_
    edited("kaiming_normal_", "swapped-mode",
           "Swaps the fans: mode='fan_in' divides by the number of inputs, shape[1] * kernel size, and "
           "mode='fan_out' by shape[0] * kernel size.",
           ('tensor.shape[1] if mode == "fan_in" else tensor.shape[0]',
            'tensor.shape[0] if mode == "fan_in" else tensor.shape[1]'),
           ("    std = gains[nonlinearity] / fan ** 0.5\n", ""),
           ("normal_(0.0, std)", "normal_(0.0, gains[nonlinearity] / fan ** 0.5)")),
    edited("kaiming_normal_", "always-relu-gain",
           "Always uses the ReLU gain sqrt(2); the gain depends on `nonlinearity` (1 for linear and sigmoid, "
           "5/3 for tanh, sqrt(2 / (1 + a^2)) for leaky_relu).",
           ('    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,\n'
            '             "linear": 1.0, "sigmoid": 1.0}\n'
            "    std = gains[nonlinearity] / fan ** 0.5\n",
            ""),
           ("normal_(0.0, std)", "normal_(0.0, (2.0 / fan) ** 0.5)")),
    edited("kaiming_normal_", "variance-as-std",
           "Passes the variance gain^2 / fan to normal_, whose second argument is the standard deviation.",
           ("    std = gains[nonlinearity] / fan ** 0.5\n", ""),
           ("normal_(0.0, std)", "normal_(0.0, gains[nonlinearity] ** 2 / fan)")),
    edited("kaiming_normal_", "one-row-of-noise",
           "Draws one row of noise (torch.randn(tensor.shape[1:])) and broadcasts it over all output units, "
           "so every unit starts with the same weights; draw every element (tensor.normal_(0, std)).",
           ("tensor.normal_(0.0, std)",
            "tensor.copy_(torch.randn(tensor.shape[1:], dtype=tensor.dtype, device=tensor.device) * std)")),
    edited("kaiming_normal_", "reseeds-inside",
           "Calls torch.manual_seed(0) inside the initialiser: every tensor it fills gets the same values and "
           "the caller's random state is reset; seed once, outside.",
           ("std = gains[nonlinearity] / fan ** 0.5\n",
            "std = gains[nonlinearity] / fan ** 0.5\n"
            "    torch.manual_seed(0)\n")),
    # ---- init_model_
    edited("init_model_", "linear-only",
           "Initialises only nn.Linear layers; the nn.Conv2d layers need the same treatment.",
           ("(torch.nn.Linear, torch.nn.Conv2d)", "torch.nn.Linear")),
    edited("init_model_", "children-only",
           "Loops over model.children(), which yields only the top-level modules; model.apply (or "
           "model.modules()) also reaches layers nested inside a Sequential or submodule.",
           ("model.modules()", "model.children()")),
    Mistake("init_model_", "assumes-bias",
            "Assumes every layer has a bias; a layer made with bias=False has m.bias = None, so check first.", '''
def init_model_(model, weight_init, bias=0.0):
    def init_layer(m):
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            m.bias.data.fill_(bias)
    return model.apply(init_layer)
'''),
    Mistake("init_model_", "every-weight",
            "Initialises every module that has a weight, BatchNorm included; only nn.Linear and nn.Conv2d "
            "layers should change.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if getattr(m, "weight", None) is not None:
            weight_init(m.weight)
        if getattr(m, "bias", None) is not None:
            torch.nn.init.constant_(m.bias, bias)
    return model
'''),
    Mistake("init_model_", "matrix-weights",
            "Initialises every module whose weight has two or more dimensions; an nn.Embedding or nn.Conv1d has "
            "one too, but only nn.Linear and nn.Conv2d layers should change.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        w = getattr(m, "weight", None)
        if isinstance(w, torch.Tensor) and w.dim() >= 2:
            weight_init(w)
            if getattr(m, "bias", None) is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
'''),
    Mistake("init_model_", "any-convolution",
            "Initialises every convolution (nn.Conv1d, nn.Conv3d too) by testing for their common base class; "
            "only nn.Linear and nn.Conv2d layers should change.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.modules.conv._ConvNd)):
            weight_init(m.weight)
            if m.bias is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
'''),
    edited("init_model_", "new-bias-parameter",
           "Replaces each bias with a new nn.Parameter(torch.full_like(...)); an optimiser made before keeps "
           "the old tensor, so fill the existing bias in place.",
           ("torch.nn.init.constant_(m.bias, bias)", "m.bias = torch.nn.Parameter(torch.full_like(m.bias, bias))")),
    edited("init_model_", "bias-data-on-cpu",
           "Sets m.bias.data = torch.full(shape, bias), made on the default device (the CPU): on a GPU model "
           "the bias moves to the CPU; fill it in place (m.bias.fill_(bias) under no_grad).",
           ("torch.nn.init.constant_(m.bias, bias)",
            "m.bias.data = torch.full(m.bias.shape, float(bias), dtype=m.bias.dtype)")),
    # ---- layer_grad_norms
    edited("layer_grad_norms", "stale-grads",
           "Does not zero the old gradients first, so backward() adds the new gradient to what .grad already "
           "held; call model.zero_grad() before backward().",
           ("    model.zero_grad()\n", "")),
    edited("layer_grad_norms", "every-parameter",
           "Returns a norm for every parameter, biases included; the question asks for one per nn.Linear "
           "weight.",
           ("m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)",
            "p.grad.norm() for p in model.parameters()")),
    edited("layer_grad_norms", "sum-loss",
           "Sums the squared errors; F.mse_loss averages them (reduction='mean'), so its gradients are smaller "
           "by the number of elements.",
           ("torch.nn.functional.mse_loss(model(x), y)", "((model(x) - y) ** 2).sum()")),
    edited("layer_grad_norms", "squared-norm",
           "Returns the sum of squared gradient entries; the norm is its square root.",
           ("m.weight.grad.norm()", "(m.weight.grad ** 2).sum()")),
    edited("layer_grad_norms", "freezes-biases",
           "Turns off requires_grad of the biases (only the weights' gradients are needed) and leaves them "
           "off, so the model stops training its biases.",
           ("model.zero_grad()\n",
            "model.zero_grad()\n"
            "    for m in model.modules():\n"
            "        if isinstance(m, torch.nn.Linear) and m.bias is not None:\n"
            "            m.bias.requires_grad_(False)\n")),
    Mistake("layer_grad_norms", "norms-on-default-device",
            "Collects the norms with .item() and returns torch.tensor(norms, dtype=x.dtype): a tensor on the "
            "default device, not the model's; pass device=x.device.", '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    norms = [m.weight.grad.norm().item() for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return torch.tensor(norms, dtype=x.dtype)
'''),
    # ---- dead_relu_fraction
    edited("dead_relu_fraction", "zero-entries",
           "Returns the fraction of zero outputs over all samples; a unit is dead only when it outputs 0 for "
           "every sample (.all(dim=0)), then average over units.",
           (".all(dim=0)", "")),
    edited("dead_relu_fraction", "any-sample",
           "Counts a unit as dead when it outputs 0 for any sample; it is dead only when it outputs 0 for every "
           "sample (.all, not .any).",
           (".all(dim=0)", ".any(dim=0)")),
    Mistake("dead_relu_fraction", "hooks-left",
            "Never removes its hooks, so they keep running on every later forward pass; keep the handles that "
            "register_forward_hook returns and call handle.remove().", '''
def dead_relu_fraction(model, x):
    outputs = []
    for m in model.modules():
        if isinstance(m, torch.nn.ReLU):
            m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
    with torch.no_grad():
        model(x)
    return torch.stack([(out == 0).all(dim=0).to(x.dtype).mean() for out in outputs])
'''),
    edited("dead_relu_fraction", "linear-hooks",
           "Hooks the nn.Linear layers and counts outputs <= 0; the last Linear has no ReLU after it, so hook "
           "the nn.ReLU modules themselves.",
           ("torch.nn.ReLU", "torch.nn.Linear"),
           ("(out == 0)", "(out <= 0)")),
    Mistake("dead_relu_fraction", "python-floats",
            "Collects Python floats with .item() and builds the result with torch.tensor(..., dtype=x.dtype), "
            "which puts it on the default device (the CPU), not x's; pass device=x.device, or torch.stack the "
            "fractions as tensors.", '''
def dead_relu_fraction(model, x):
    fractions = []

    def hook(module, inputs, out):
        fractions.append((out == 0).all(dim=0).double().mean().item())

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.tensor(fractions, dtype=x.dtype)
'''),
    edited("dead_relu_fraction", "freezes-the-model",
           "Turns off requires_grad of every parameter to save memory (model.requires_grad_(False)) and never "
           "turns it back on, so the model no longer trains; use torch.no_grad() instead.",
           ("outputs = []\n",
            "outputs = []\n"
            "    model.requires_grad_(False)\n"),
           ("outputs.append(out.detach())", "outputs.append(out)"),
           ("with torch.no_grad():\n"
            "        model(x)\n",
            "model(x)\n")),
    edited("dead_relu_fraction", "leaves-eval-mode",
           "Switches the model to eval mode for the measurement and leaves it there; restore the mode it had "
           "(model.train(was_training)).",
           ("outputs = []\n",
            "outputs = []\n"
            "    model.eval()\n")),
]

VARIANTS = [
    Variant("fan_in_and_fan_out", "math-prod", "math.prod over the kernel dimensions", '''
import math

def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError(f"shape {shape} has fewer than 2 dimensions")
    k = math.prod(shape[2:])
    return shape[1] * k, shape[0] * k
'''),
    Variant("fan_in_and_fan_out", "meta-tensor", "counts elements of a meta tensor's first slice", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError(f"shape {shape} has fewer than 2 dimensions")
    w = torch.empty(shape, device="meta")
    return int(w[0].numel()), int(w[:, 0].numel())
'''),
    Variant("xavier_uniform_", "rand-affine", "maps torch.rand to [-b, b) and copies it in under no_grad", '''
def xavier_uniform_(tensor, gain=1.0):
    k = tensor[0][0].numel()
    bound = gain * (6.0 / (k * (tensor.shape[0] + tensor.shape[1]))) ** 0.5
    with torch.no_grad():
        u = torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device)
        tensor.copy_(u * 2 * bound - bound)
    return tensor
'''),
    Variant("xavier_uniform_", "data-float64", "computes the bound with numpy in float64 and fills tensor.data", '''
import numpy as np

def xavier_uniform_(tensor, gain=1.0):
    k = int(np.prod(tensor.shape[2:]))
    fan_in, fan_out = tensor.shape[1] * k, tensor.shape[0] * k
    bound = float(gain * np.sqrt(np.float64(6.0) / (fan_in + fan_out)))
    tensor.data.uniform_(-bound, bound)
    return tensor
'''),
    Variant("xavier_normal_", "randn-scaled", "scales torch.randn and copies it in under no_grad", '''
def xavier_normal_(tensor, gain=1.0):
    k = tensor[0][0].numel()
    std = gain * (2.0 / (k * (tensor.shape[0] + tensor.shape[1]))) ** 0.5
    with torch.no_grad():
        tensor.copy_(std * torch.randn(tensor.shape, dtype=tensor.dtype, device=tensor.device))
    return tensor
'''),
    Variant("xavier_normal_", "data-normal", "fills tensor.data with torch.nn.init.normal_", '''
import math

def xavier_normal_(tensor, gain=1.0):
    k = math.prod(tensor.shape[2:])
    std = gain * math.sqrt(2.0 / (tensor.shape[1] * k + tensor.shape[0] * k))
    torch.nn.init.normal_(tensor.data, 0.0, std)
    return tensor
'''),
    Variant("kaiming_uniform_", "if-chain", "an if-chain for the gain and math.sqrt", '''
import math

def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    k = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * k if mode == "fan_in" else tensor.shape[0] * k
    if nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1 + a * a))
    elif nonlinearity == "relu":
        gain = math.sqrt(2.0)
    elif nonlinearity == "tanh":
        gain = 5.0 / 3
    else:
        gain = 1.0
    bound = gain * math.sqrt(3.0 / fan)
    with torch.no_grad():
        tensor.uniform_(-bound, bound)
    return tensor
'''),
    Variant("kaiming_uniform_", "rand-affine", "maps torch.rand to [-b, b) and copies it into tensor.data", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    k = tensor[0][0].numel()
    fan = {"fan_in": tensor.shape[1], "fan_out": tensor.shape[0]}[mode] * k
    slope = a if nonlinearity == "leaky_relu" else 0.0
    gain = {"tanh": 5.0 / 3, "linear": 1.0, "sigmoid": 1.0}.get(nonlinearity, (2.0 / (1 + slope ** 2)) ** 0.5)
    bound = gain * (3.0 / fan) ** 0.5
    u = torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device)
    tensor.data.copy_((2 * u - 1) * bound)
    return tensor
'''),
    Variant("kaiming_normal_", "randn-scaled", "scales torch.randn and copies it in under no_grad", '''
import math

def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    k = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * k if mode == "fan_in" else tensor.shape[0] * k
    if nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1 + a * a))
    else:
        gain = {"relu": math.sqrt(2.0), "tanh": 5.0 / 3}.get(nonlinearity, 1.0)
    with torch.no_grad():
        tensor.copy_(torch.randn(tensor.shape, dtype=tensor.dtype, device=tensor.device) * (gain / math.sqrt(fan)))
    return tensor
'''),
    Variant("kaiming_normal_", "variance-first", "computes the variance first, then normal_ on tensor.data", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    k = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * k
    gain_sq = {"leaky_relu": 2.0 / (1 + a ** 2), "relu": 2.0, "tanh": 25.0 / 9}.get(nonlinearity, 1.0)
    variance = gain_sq / fan
    tensor.data.normal_(0.0, variance ** 0.5)
    return tensor
'''),
    Variant("init_model_", "modules-loop", "a loop over model.modules() with torch.nn.init.zeros_/constant_", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if type(m) in (torch.nn.Linear, torch.nn.Conv2d):
            weight_init(m.weight)
            if m.bias is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
'''),
    Variant("init_model_", "named-modules", "walks named_modules and fills the bias through .data", '''
def init_model_(model, weight_init, bias=0.0):
    layers = [m for _, m in model.named_modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    for layer in layers:
        weight_init(layer.weight)
        if layer.bias is not None:
            layer.bias.data = torch.full_like(layer.bias.data, bias)
    return model
'''),
    Variant("layer_grad_norms", "autograd-grad", "torch.autograd.grad on the weights, no .grad at all", '''
def layer_grad_norms(model, x, y):
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    loss = ((model(x) - y) ** 2).mean()
    grads = torch.autograd.grad(loss, weights)
    return torch.stack([torch.linalg.vector_norm(g) for g in grads])
'''),
    Variant("layer_grad_norms", "named-float64", "named_parameters ending in weight, sqrt of squares in float64", '''
def layer_grad_norms(model, x, y):
    for p in model.parameters():
        p.grad = None
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    linear = {name + ".weight" for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    norms = [p.grad.double().pow(2).sum().sqrt() for name, p in model.named_parameters() if name in linear]
    return torch.stack(norms).to(x.dtype)
'''),
    Variant("layer_grad_norms", "item-norms", "norms read with .item(), returned on x's device and dtype", '''
def layer_grad_norms(model, x, y):
    for p in model.parameters():
        p.grad = None
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    norms = [float(m.weight.grad.norm().item()) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return torch.tensor(norms, dtype=x.dtype, device=x.device)
'''),
    Variant("dead_relu_fraction", "global-hook", "one global forward hook that filters ReLUs, removed in finally", '''
def dead_relu_fraction(model, x):
    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    seen = {}

    def hook(module, inputs, out):
        if any(module is r for r in relus):
            seen[id(module)] = out.detach()

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        model(x)
    finally:
        handle.remove()
    return torch.stack([(seen[id(r)] == 0).all(0).to(x.dtype).mean() for r in relus])
'''),
    Variant("dead_relu_fraction", "amax-count", "a unit is dead when its largest output is <= 0; counts them", '''
def dead_relu_fraction(model, x):
    maxima = []
    handles = []
    for m in model.modules():
        if isinstance(m, torch.nn.ReLU):
            handles.append(m.register_forward_hook(lambda mod, inp, out: maxima.append(out.amax(dim=0))))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(mx <= 0).sum().to(x.dtype) / mx.numel() for mx in maxima])
'''),
]

# The misconceptions in Chinese (the Chinese edition's feedback), one per mistake.
ZH = {
    "fan_in_and_fan_out:swapped":
        "返回了 (fan_out, fan_in)；形状为 (out, in, ...) 的权重，扇入取第 1 维（输入），扇出取第 0 维。",
    "fan_in_and_fan_out:no-receptive-field":
        "只用了 shape[1] 和 shape[0]；对卷积权重，两个扇数都要乘以卷积核的大小（感受野，即 shape[2:] 的乘积）。",
    "fan_in_and_fan_out:receptive-field-in-fan-in-only":
        "只把扇入乘以了卷积核大小；每个输出通道也通过整个卷积核相连，所以扇出也是 shape[0] * 感受野。",
    "fan_in_and_fan_out:index-error":
        "形状少于 2 维时（例如偏置）让 IndexError 抛了出去；应当像 torch 一样抛出 ValueError。",
    "fan_in_and_fan_out:list-not-tuple":
        "返回了列表 [fan_in, fan_out]；练习要求返回由两个 int 组成的元组，与 torch 自己的辅助函数一样。",
    "fan_in_and_fan_out:tensor-fans":
        "用 torch.tensor(shape[2:]).prod() 计算感受野，于是扇数是零维张量而不是 int；请用 math.prod 或对整数循环相乘。",
    "xavier_uniform_:std-as-bound":
        "把标准差 gain * sqrt(2 / (fan_in + fan_out)) 当成了边界；U(-b, b) 的标准差是 b / sqrt(3)，所以边界是 "
        "gain * sqrt(6 / (fan_in + fan_out))。",
    "xavier_uniform_:no-receptive-field":
        "对卷积权重也取 fan_in = shape[1]、fan_out = shape[0]；两者都要乘以卷积核的大小（tensor[0][0].numel()）。",
    "xavier_uniform_:no-no-grad":
        "在 torch.no_grad() 之外调用 uniform_：自动求导不允许原地修改需要梯度的参数（层的权重）。",
    "xavier_uniform_:new-tensor":
        "返回了一个新张量，参数本身没有变；以 _ 结尾的函数要原地填充它的参数并返回它。",
    "xavier_uniform_:one-value-per-row":
        "每个输出单元只抽一个值（torch.rand(tensor.shape[0], 1, ...)），再沿行广播，于是一个单元的所有权重都相同；"
        "请为每个元素分别抽样（tensor.uniform_(-b, b)）。",
    "xavier_uniform_:private-cpu-generator":
        "用自己在 CPU 上创建的 torch.Generator() 为另一个设备上的张量抽样：在 CPU 上能运行，在 GPU 上会出错；"
        "请使用全局随机数生成器（tensor.uniform_）。",
    "xavier_normal_:variance-as-std":
        "把方差 gain^2 * 2 / (fan_in + fan_out) 传给了 normal_，而它的第二个参数是标准差。",
    "xavier_normal_:ignores-gain":
        "忽略了 `gain`；标准差是 gain * sqrt(2 / (fan_in + fan_out))。",
    "xavier_normal_:no-receptive-field":
        "对卷积权重也取 fan_in = shape[1]、fan_out = shape[0]；两者都要乘以卷积核的大小（tensor[0][0].numel()）。",
    "xavier_normal_:one-row-of-noise":
        "只抽了一行噪声（torch.randn(tensor.shape[1:])），再广播到所有输出单元，于是每个单元的初始权重都相同；"
        "请为每个元素分别抽样（tensor.normal_(0, std)）。",
    "xavier_normal_:reseeds-inside":
        "在初始化函数内部调用了 torch.manual_seed(0)：它填充的每个张量都得到相同的值，调用者的随机状态也被重置；"
        "只在外面设置一次种子。",
    "kaiming_uniform_:swapped-mode":
        "把两个扇数弄反了：mode='fan_in' 除以输入个数 shape[1] * 卷积核大小，mode='fan_out' 除以 shape[0] * 卷积核大小。",
    "kaiming_uniform_:ignores-a":
        "忽略了负半轴斜率 `a`：对 leaky_relu，增益是 sqrt(2 / (1 + a^2))，而不总是 sqrt(2)。",
    "kaiming_uniform_:slope-not-squared":
        "用了 sqrt(2 / (1 + a))；leaky_relu 的增益要对斜率平方：sqrt(2 / (1 + a^2))。",
    "kaiming_uniform_:std-as-bound":
        "把标准差 gain / sqrt(fan) 当成了边界；U(-b, b) 的标准差是 b / sqrt(3)，所以 b = sqrt(3) * gain / sqrt(fan)。",
    "kaiming_uniform_:one-value-per-row":
        "每个输出单元只抽一个值（torch.rand(tensor.shape[0], 1, ...)），再沿行广播，于是一个单元的所有权重都相同；"
        "请为每个元素分别抽样（tensor.uniform_(-b, b)）。",
    "kaiming_uniform_:private-cpu-generator":
        "用自己在 CPU 上创建的 torch.Generator() 为另一个设备上的张量抽样：在 CPU 上能运行，在 GPU 上会出错；"
        "请使用全局随机数生成器（tensor.uniform_）。",
    "kaiming_normal_:swapped-mode":
        "把两个扇数弄反了：mode='fan_in' 除以输入个数 shape[1] * 卷积核大小，mode='fan_out' 除以 shape[0] * 卷积核大小。",
    "kaiming_normal_:always-relu-gain":
        "总是用 ReLU 的增益 sqrt(2)；增益取决于 `nonlinearity`（linear 和 sigmoid 为 1，tanh 为 5/3，leaky_relu 为 "
        "sqrt(2 / (1 + a^2))）。",
    "kaiming_normal_:variance-as-std":
        "把方差 gain^2 / fan 传给了 normal_，而它的第二个参数是标准差。",
    "kaiming_normal_:one-row-of-noise":
        "只抽了一行噪声（torch.randn(tensor.shape[1:])），再广播到所有输出单元，于是每个单元的初始权重都相同；"
        "请为每个元素分别抽样（tensor.normal_(0, std)）。",
    "kaiming_normal_:reseeds-inside":
        "在初始化函数内部调用了 torch.manual_seed(0)：它填充的每个张量都得到相同的值，调用者的随机状态也被重置；"
        "只在外面设置一次种子。",
    "init_model_:linear-only":
        "只初始化了 nn.Linear 层；nn.Conv2d 层也需要同样的处理。",
    "init_model_:children-only":
        "遍历的是 model.children()，它只给出最外一层的子模块；model.apply（或 model.modules()）还能访问嵌套在 "
        "Sequential 或子模块里的层。",
    "init_model_:assumes-bias":
        "假定每一层都有偏置；用 bias=False 创建的层 m.bias 是 None，要先判断。",
    "init_model_:every-weight":
        "初始化了每个带 weight 的模块，包括 BatchNorm；只有 nn.Linear 和 nn.Conv2d 层应当改变。",
    "init_model_:matrix-weights":
        "初始化了所有权重维数不少于 2 的模块；nn.Embedding 和 nn.Conv1d 的权重也是这样，但只有 nn.Linear 和 nn.Conv2d 层应当改变。",
    "init_model_:any-convolution":
        "用卷积的公共基类判断，初始化了所有卷积层（包括 nn.Conv1d、nn.Conv3d）；只有 nn.Linear 和 nn.Conv2d 层应当改变。",
    "init_model_:new-bias-parameter":
        "把每个偏置换成了新的 nn.Parameter(torch.full_like(...))；之前创建的优化器仍持有旧张量，所以要原地填充现有的偏置。",
    "init_model_:bias-data-on-cpu":
        "写了 m.bias.data = torch.full(shape, bias)，它建在默认设备（CPU）上：模型在 GPU 上时偏置就被移到了 CPU；"
        "请原地填充（在 no_grad 中 m.bias.fill_(bias)）。",
    "layer_grad_norms:stale-grads":
        "没有先把旧梯度清零，于是 backward() 把新梯度累加到 .grad 原有的值上；请在 backward() 之前调用 model.zero_grad()。",
    "layer_grad_norms:every-parameter":
        "为每个参数（包括偏置）都返回了一个范数；题目要求每个 nn.Linear 的权重各一个。",
    "layer_grad_norms:sum-loss":
        "对误差平方求和；F.mse_loss 取的是均值（reduction='mean'），所以它的梯度要小元素个数那么多倍。",
    "layer_grad_norms:squared-norm":
        "返回了梯度元素的平方和；范数是它的平方根。",
    "layer_grad_norms:freezes-biases":
        "关掉了偏置的 requires_grad（只需要权重的梯度），之后也没有恢复，于是模型不再训练它的偏置。",
    "layer_grad_norms:norms-on-default-device":
        "用 .item() 收集范数，再返回 torch.tensor(norms, dtype=x.dtype)：这个张量在默认设备上，而不在模型所在的设备上；"
        "请传入 device=x.device。",
    "dead_relu_fraction:zero-entries":
        "返回的是所有样本上输出为 0 的比例；只有对每个样本都输出 0 的单元才算死亡（.all(dim=0)），再对单元取平均。",
    "dead_relu_fraction:any-sample":
        "只要对某一个样本输出 0，就把单元算作死亡；只有对每个样本都输出 0 才算（用 .all，而不是 .any）。",
    "dead_relu_fraction:hooks-left":
        "从不移除钩子，于是之后的每次正向传播都会运行它们；请保存 register_forward_hook 返回的句柄，并调用 handle.remove()。",
    "dead_relu_fraction:linear-hooks":
        "把钩子挂在 nn.Linear 层上，统计输出 <= 0 的情况；最后一个 Linear 后面没有 ReLU，所以要把钩子挂在 nn.ReLU 模块本身。",
    "dead_relu_fraction:python-floats":
        "用 .item() 收集 Python 浮点数，再用 torch.tensor(..., dtype=x.dtype) 构造结果，它落在默认设备（CPU）上，"
        "而不是 x 所在的设备；请传入 device=x.device，或把各个比例作为张量 torch.stack 起来。",
    "dead_relu_fraction:freezes-the-model":
        "为了省内存关掉了每个参数的 requires_grad（model.requires_grad_(False)），之后也没有恢复，于是模型不再训练；"
        "请改用 torch.no_grad()。",
    "dead_relu_fraction:leaves-eval-mode":
        "为了测量把模型切换到评估模式，之后没有切换回来；请恢复它原来的模式（model.train(was_training)）。",
}
