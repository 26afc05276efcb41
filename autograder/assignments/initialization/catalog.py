"""Assignment 6, "Gradient stability and weight initialisation": mistakes students make, and correct
variants written differently."""
from autograder.catalog import Mistake, Variant

MISTAKES = [
    # ---- fan_in_and_fan_out
    Mistake("fan_in_and_fan_out", "swapped",
            "Returns (fan_out, fan_in); a weight of shape (out, in, ...) has fan_in from dim 1 (the inputs) and "
            "fan_out from dim 0.", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    receptive_field = 1
    for side in shape[2:]:
        receptive_field *= side
    return shape[0] * receptive_field, shape[1] * receptive_field
'''),
    Mistake("fan_in_and_fan_out", "no-receptive-field",
            "Uses only shape[1] and shape[0]; for a conv weight both fans are multiplied by the kernel size "
            "(the receptive field, the product of shape[2:]).", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    return shape[1], shape[0]
'''),
    Mistake("fan_in_and_fan_out", "receptive-field-in-fan-in-only",
            "Multiplies only fan_in by the kernel size; each output channel also connects through the whole "
            "kernel, so fan_out = shape[0] * receptive field too.", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    receptive_field = 1
    for side in shape[2:]:
        receptive_field *= side
    return shape[1] * receptive_field, shape[0]
'''),
    Mistake("fan_in_and_fan_out", "index-error",
            "Lets an IndexError escape for a shape with fewer than 2 dimensions (a bias); raise ValueError, like "
            "torch does.", '''
def fan_in_and_fan_out(shape):
    receptive_field = 1
    for side in shape[2:]:
        receptive_field *= side
    return shape[1] * receptive_field, shape[0] * receptive_field
'''),
    Mistake("fan_in_and_fan_out", "list-not-tuple",
            "Returns a list [fan_in, fan_out]; the exercise asks for a tuple of two ints, as torch's own "
            "helper returns.", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    receptive_field = 1
    for side in shape[2:]:
        receptive_field *= side
    return [shape[1] * receptive_field, shape[0] * receptive_field]
'''),
    Mistake("fan_in_and_fan_out", "tensor-fans",
            "Computes the receptive field with torch.tensor(shape[2:]).prod(), so the fans are 0-d tensors, "
            "not ints; use math.prod or a loop over the ints.", '''
def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least 2 dimensions")
    receptive_field = torch.tensor(shape[2:], dtype=torch.int64).prod()
    return shape[1] * receptive_field, shape[0] * receptive_field
'''),
    # ---- xavier_uniform_
    Mistake("xavier_uniform_", "std-as-bound",
            "Uses the standard deviation gain * sqrt(2 / (fan_in + fan_out)) as the bound; U(-b, b) has std "
            "b / sqrt(3), so the bound is gain * sqrt(6 / (fan_in + fan_out)).", '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (2.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("xavier_uniform_", "no-receptive-field",
            "Takes fan_in = shape[1] and fan_out = shape[0] for a conv weight too; multiply both by the kernel "
            "size (tensor[0][0].numel()).", '''
def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("xavier_uniform_", "no-no-grad",
            "Calls uniform_ outside torch.no_grad(): autograd refuses in-place changes to a parameter that "
            "requires grad (a layer's weight).", '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    return tensor.uniform_(-bound, bound)
'''),
    Mistake("xavier_uniform_", "new-tensor",
            "Returns a new tensor and leaves the argument unchanged; a function ending in _ fills its argument "
            "in place and returns it.", '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    return torch.empty_like(tensor).uniform_(-bound, bound).detach()
'''),
    Mistake("xavier_uniform_", "one-value-per-row",
            "Draws one value per output unit (torch.rand(tensor.shape[0], 1, ...)) and broadcasts it along the "
            "row, so every weight of a unit is the same; draw every element (tensor.uniform_(-b, b)).", '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.copy_((torch.rand(tensor.shape[0], *[1] * (tensor.dim() - 1), dtype=tensor.dtype, device=tensor.device) * 2 - 1) * bound)
'''),
    Mistake("xavier_uniform_", "private-cpu-generator",
            "Draws with a torch.Generator() of its own, made on the CPU, for a tensor on another device: it "
            "runs on the CPU but fails on a GPU; use the global generator (tensor.uniform_).", '''
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    g = torch.Generator().manual_seed(int(torch.randint(2 ** 31, (1,))))
    with torch.no_grad():
        return tensor.copy_((torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device, generator=g) * 2 - 1) * bound)
'''),
    # ---- xavier_normal_
    Mistake("xavier_normal_", "variance-as-std",
            "Passes the variance gain^2 * 2 / (fan_in + fan_out) to normal_, whose second argument is the "
            "standard deviation.", '''
def xavier_normal_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    with torch.no_grad():
        return tensor.normal_(0.0, gain ** 2 * 2.0 / (fan_in + fan_out))
'''),
    Mistake("xavier_normal_", "ignores-gain",
            "Ignores `gain`; the standard deviation is gain * sqrt(2 / (fan_in + fan_out)).", '''
def xavier_normal_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    with torch.no_grad():
        return tensor.normal_(0.0, (2.0 / (fan_in + fan_out)) ** 0.5)
'''),
    Mistake("xavier_normal_", "no-receptive-field",
            "Takes fan_in = shape[1] and fan_out = shape[0] for a conv weight too; multiply both by the kernel "
            "size (tensor[0][0].numel()).", '''
def xavier_normal_(tensor, gain=1.0):
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]
    with torch.no_grad():
        return tensor.normal_(0.0, gain * (2.0 / (fan_in + fan_out)) ** 0.5)
'''),
    Mistake("xavier_normal_", "one-row-of-noise",
            "Draws one row of noise (torch.randn(tensor.shape[1:])) and broadcasts it over all output units, "
            "so every unit starts with the same weights; draw every element (tensor.normal_(0, std)).", '''
def xavier_normal_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        return tensor.copy_(torch.randn(tensor.shape[1:], dtype=tensor.dtype, device=tensor.device) * std)
'''),
    Mistake("xavier_normal_", "reseeds-inside",
            "Calls torch.manual_seed(0) inside the initialiser: every tensor it fills gets the same values and "
            "the caller's random state is reset; seed once, outside.", '''
def xavier_normal_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5
    torch.manual_seed(0)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
'''),
    # ---- kaiming_uniform_
    Mistake("kaiming_uniform_", "swapped-mode",
            "Swaps the fans: mode='fan_in' divides by the number of inputs, shape[1] * kernel size, and "
            "mode='fan_out' by shape[0] * kernel size.", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[0] if mode == "fan_in" else tensor.shape[1]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("kaiming_uniform_", "ignores-a",
            "Ignores the negative slope `a`: for leaky_relu the gain is sqrt(2 / (1 + a^2)), not always sqrt(2).", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": 2.0 ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3, "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("kaiming_uniform_", "slope-not-squared",
            "Uses sqrt(2 / (1 + a)); the leaky_relu gain squares the slope: sqrt(2 / (1 + a^2)).", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("kaiming_uniform_", "std-as-bound",
            "Uses the standard deviation gain / sqrt(fan) as the bound; U(-b, b) has std b / sqrt(3), so "
            "b = sqrt(3) * gain / sqrt(fan).", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = gains[nonlinearity] / fan ** 0.5
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
'''),
    Mistake("kaiming_uniform_", "one-value-per-row",
            "Draws one value per output unit (torch.rand(tensor.shape[0], 1, ...)) and broadcasts it along the "
            "row, so every weight of a unit is the same; draw every element (tensor.uniform_(-b, b)).", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    with torch.no_grad():
        return tensor.copy_((torch.rand(tensor.shape[0], *[1] * (tensor.dim() - 1), dtype=tensor.dtype, device=tensor.device) * 2 - 1) * bound)
'''),
    Mistake("kaiming_uniform_", "private-cpu-generator",
            "Draws with a torch.Generator() of its own, made on the CPU, for a tensor on another device: it "
            "runs on the CPU but fails on a GPU; use the global generator (tensor.uniform_).", '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    bound = (3.0 / fan) ** 0.5 * gains[nonlinearity]
    g = torch.Generator().manual_seed(int(torch.randint(2 ** 31, (1,))))
    with torch.no_grad():
        return tensor.copy_((torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device, generator=g) * 2 - 1) * bound)
'''),
    # ---- kaiming_normal_
    Mistake("kaiming_normal_", "swapped-mode",
            "Swaps the fans: mode='fan_in' divides by the number of inputs, shape[1] * kernel size, and "
            "mode='fan_out' by shape[0] * kernel size.", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[0] if mode == "fan_in" else tensor.shape[1]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    with torch.no_grad():
        return tensor.normal_(0.0, gains[nonlinearity] / fan ** 0.5)
'''),
    Mistake("kaiming_normal_", "always-relu-gain",
            "Always uses the ReLU gain sqrt(2); the gain depends on `nonlinearity` (1 for linear and sigmoid, "
            "5/3 for tanh, sqrt(2 / (1 + a^2)) for leaky_relu).", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    with torch.no_grad():
        return tensor.normal_(0.0, (2.0 / fan) ** 0.5)
'''),
    Mistake("kaiming_normal_", "variance-as-std",
            "Passes the variance gain^2 / fan to normal_, whose second argument is the standard deviation.", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    with torch.no_grad():
        return tensor.normal_(0.0, gains[nonlinearity] ** 2 / fan)
'''),
    Mistake("kaiming_normal_", "one-row-of-noise",
            "Draws one row of noise (torch.randn(tensor.shape[1:])) and broadcasts it over all output units, "
            "so every unit starts with the same weights; draw every element (tensor.normal_(0, std)).", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    std = gains[nonlinearity] / fan ** 0.5
    with torch.no_grad():
        return tensor.copy_(torch.randn(tensor.shape[1:], dtype=tensor.dtype, device=tensor.device) * std)
'''),
    Mistake("kaiming_normal_", "reseeds-inside",
            "Calls torch.manual_seed(0) inside the initialiser: every tensor it fills gets the same values and "
            "the caller's random state is reset; seed once, outside.", '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3,
             "linear": 1.0, "sigmoid": 1.0}
    std = gains[nonlinearity] / fan ** 0.5
    torch.manual_seed(0)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
'''),
    # ---- init_model_
    Mistake("init_model_", "linear-only",
            "Initialises only nn.Linear layers; the nn.Conv2d layers need the same treatment.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            weight_init(m.weight)
            if m.bias is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
'''),
    Mistake("init_model_", "children-only",
            "Loops over model.children(), which yields only the top-level modules; model.apply (or "
            "model.modules()) also reaches layers nested inside a Sequential or submodule.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.children():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                torch.nn.init.constant_(m.bias, bias)
    return model
'''),
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
    Mistake("init_model_", "new-bias-parameter",
            "Replaces each bias with a new nn.Parameter(torch.full_like(...)); an optimiser made before keeps "
            "the old tensor, so fill the existing bias in place.", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                m.bias = torch.nn.Parameter(torch.full_like(m.bias, bias))
    return model
'''),
    Mistake("init_model_", "bias-data-on-cpu",
            "Sets m.bias.data = torch.full(shape, bias), made on the default device (the CPU): on a GPU model "
            "the bias moves to the CPU; fill it in place (m.bias.fill_(bias) under no_grad).", '''
def init_model_(model, weight_init, bias=0.0):
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                m.bias.data = torch.full(m.bias.shape, float(bias), dtype=m.bias.dtype)
    return model
'''),
    # ---- layer_grad_norms
    Mistake("layer_grad_norms", "stale-grads",
            "Does not zero the old gradients first, so backward() adds the new gradient to what .grad already "
            "held; call model.zero_grad() before backward().", '''
def layer_grad_norms(model, x, y):
    torch.nn.functional.mse_loss(model(x), y).backward()
    return torch.stack([m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)])
'''),
    Mistake("layer_grad_norms", "every-parameter",
            "Returns a norm for every parameter, biases included; the question asks for one per nn.Linear "
            "weight.", '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    return torch.stack([p.grad.norm() for p in model.parameters()])
'''),
    Mistake("layer_grad_norms", "sum-loss",
            "Sums the squared errors; F.mse_loss averages them (reduction='mean'), so its gradients are smaller "
            "by the number of elements.", '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    ((model(x) - y) ** 2).sum().backward()
    return torch.stack([m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)])
'''),
    Mistake("layer_grad_norms", "squared-norm",
            "Returns the sum of squared gradient entries; the norm is its square root.", '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    return torch.stack([(m.weight.grad ** 2).sum() for m in model.modules() if isinstance(m, torch.nn.Linear)])
'''),
    Mistake("layer_grad_norms", "freezes-biases",
            "Turns off requires_grad of the biases (only the weights' gradients are needed) and leaves them "
            "off, so the model stops training its biases.", '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and m.bias is not None:
            m.bias.requires_grad_(False)
    torch.nn.functional.mse_loss(model(x), y).backward()
    return torch.stack([m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)])
'''),
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
    Mistake("dead_relu_fraction", "zero-entries",
            "Returns the fraction of zero outputs over all samples; a unit is dead only when it outputs 0 for "
            "every sample (.all(dim=0)), then average over units.", '''
def dead_relu_fraction(model, x):
    outputs = []
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out == 0).to(x.dtype).mean() for out in outputs])
'''),
    Mistake("dead_relu_fraction", "any-sample",
            "Counts a unit as dead when it outputs 0 for any sample; it is dead only when it outputs 0 for every "
            "sample (.all, not .any).", '''
def dead_relu_fraction(model, x):
    outputs = []
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out == 0).any(dim=0).to(x.dtype).mean() for out in outputs])
'''),
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
    Mistake("dead_relu_fraction", "linear-hooks",
            "Hooks the nn.Linear layers and counts outputs <= 0; the last Linear has no ReLU after it, so hook "
            "the nn.ReLU modules themselves.", '''
def dead_relu_fraction(model, x):
    outputs = []
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
               for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out <= 0).all(dim=0).to(x.dtype).mean() for out in outputs])
'''),
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
    Mistake("dead_relu_fraction", "freezes-the-model",
            "Turns off requires_grad of every parameter to save memory (model.requires_grad_(False)) and never "
            "turns it back on, so the model no longer trains; use torch.no_grad() instead.", '''
def dead_relu_fraction(model, x):
    outputs = []
    model.requires_grad_(False)
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out == 0).all(dim=0).to(x.dtype).mean() for out in outputs])
'''),
    Mistake("dead_relu_fraction", "leaves-eval-mode",
            "Switches the model to eval mode for the measurement and leaves it there; restore the mode it had "
            "(model.train(was_training)).", '''
def dead_relu_fraction(model, x):
    outputs = []
    model.eval()
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return torch.stack([(out == 0).all(dim=0).to(x.dtype).mean() for out in outputs])
'''),
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
