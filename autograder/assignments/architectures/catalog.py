"""Assignment 9, "Classic CNN architectures and how to compare them": mistakes students make, and correct
variants written differently. Each entry is self-contained (it may use torch, F = torch.nn.functional and
math)."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are: positional
# kernel sizes and strides, AlexNet's head in one expression, vgg_block picks each convolution's inputs
# inline, nin_block and Inception use plain nn.ReLU(), count_flops counts under torch.no_grad() and removes
# its hooks after the pass): many mistakes below are one of them with an edit or two, written
# edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "AlexNet": '''
import torch.nn as nn

class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, width=64, hidden=4096, dropout=0.5, in_channels=3):
        super().__init__()
        c1, c2, c3, c4 = width, 3 * width, 6 * width, 4 * width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c4 * 36, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))
''',
    "vgg_block": '''
import torch.nn as nn

def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for i in range(num_convs):
        layers += [nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True)]
    layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)
''',
    "vgg_features": '''
import torch.nn as nn

def vgg_features(config, in_channels=3):
    layers = []
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)
''',
    "nin_block": '''
import torch.nn as nn

def nin_block(in_channels, out_channels, kernel_size, stride=1, padding=0):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 1, 1, 0), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 1, 1, 0), nn.ReLU())
''',
    "global_avg_pool": '''
def global_avg_pool(x):
    return x.mean(dim=(-2, -1), keepdim=True)
''',
    "Inception": '''
import torch.nn as nn

class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)
''',
    "count_params": '''
def count_params(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
''',
    "count_flops": '''
import torch.nn as nn

def count_flops(model, x):
    total = 0

    def conv_hook(module, inputs, output):
        nonlocal total
        total += 2 * output.numel() * module.weight[0].numel()

    def linear_hook(module, inputs, output):
        nonlocal total
        total += 2 * output.numel() * module.in_features

    handles = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    edited('AlexNet', 'softmax-output',
           "Returns softmax probabilities, as the course's first AlexNet did; the network should return logits, since F.cross_entropy applies log-softmax itself.",
           ("self.classifier(self.avgpool(self.features(x)).flatten(1))",
            "torch.softmax(self.classifier(self.avgpool(self.features(x)).flatten(1)), dim=1)")),
    edited('AlexNet', 'flatten-batch',
           'Flattens with x.view(-1), which merges the images of the batch; keep the batch dimension: x.flatten(1).',
           (".flatten(1)", ".view(1, -1)")),
    edited('AlexNet', 'no-first-padding',
           "Leaves out the first convolution's padding=2 (the paper's 227x227 input); torchvision's AlexNet pads by 2, so 224 gives 55x55 and every later size differs.",
           ("stride=4, padding=2", "stride=4, padding=0")),
    edited('AlexNet', 'non-overlapping-pooling',
           "Pools with 2x2 windows; AlexNet's pooling overlaps: 3x3 windows with stride 2.",
           ("nn.Conv2d(in_channels, c1, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),",
            "nn.Conv2d(in_channels, c1, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),"),
           ("nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),",
            "nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),"),
           ("nn.MaxPool2d(3, 2)", "nn.MaxPool2d(2, 2)")),
    edited('AlexNet', 'fixed-avgpool',
           'Replaces the adaptive pooling with nn.AvgPool2d(1), which only gives 6x6 maps for 224x224 images; AdaptiveAvgPool2d((6, 6)) fits any size.',
           ("nn.AdaptiveAvgPool2d((6, 6))", "nn.AvgPool2d(1)")),
    edited('AlexNet', 'dropout-after-linear',
           "Puts dropout after each hidden linear layer; torchvision's AlexNet drops the inputs of the first two linear layers (Dropout before Linear).",
           ("nn.Dropout(dropout), nn.Linear(c4 * 36, hidden)", "nn.Linear(c4 * 36, hidden), nn.Dropout(dropout)"),
           ("nn.Dropout(dropout), nn.Linear(hidden, hidden)", "nn.Linear(hidden, hidden), nn.Dropout(dropout)")),
    edited('AlexNet', 'eval-dropout',
           'Calls F.dropout without training=self.training, so dropout stays on in evaluation mode.',
           ("self.avgpool(self.features(x)).flatten(1)", "F.dropout(self.avgpool(self.features(x)).flatten(1), 0.5)")),
    edited('vgg_block', 'no-padding',
           "Leaves out padding=1, so each 3x3 convolution shrinks the image by 2; VGG's convolutions keep the size and only the pooling halves it.",
           ("padding=1", "padding=0")),
    edited('vgg_block', 'in-channels-everywhere',
           "Gives every convolution in_channels inputs; only the first reads the block's input, the others read out_channels channels.",
           ("in_channels if i == 0 else out_channels", "in_channels")),
    edited('vgg_block', 'stride-one-pool', "Pools with stride 1; VGG's 2x2 pooling has stride 2 and halves the size.",
           ("nn.MaxPool2d(2, 2)", "nn.MaxPool2d(2, 1)")),
    edited('vgg_block', 'avg-pool', "Uses average pooling; VGG's blocks end with 2x2 max pooling.",
           ("nn.MaxPool2d(2, 2)", "nn.AvgPool2d(2, 2)")),
    edited('vgg_block', 'inplace-first',
           "Starts with an in-place ReLU that changes the caller's input; each convolution comes first and ReLU acts on its output.",
           ("nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True)",
            "nn.ReLU(inplace=True), nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1)")),
    edited('vgg_block', 'pool-per-conv',
           'Pools after every convolution; a VGG block pools once, after all its convolutions.',
           ("nn.ReLU(inplace=True)]\n"
            "    layers.append(nn.MaxPool2d(2, 2))\n",
            "nn.ReLU(),\n"
            "                   nn.MaxPool2d(2, 2)]\n")),
    edited('vgg_features', 'no-padding',
           "Leaves out padding=1; VGG's 3x3 convolutions keep the size and only the pooling halves it.",
           ("padding=1", "padding=0")),
    edited('vgg_features', 'channels-not-updated',
           'Never updates the channel count after a convolution, so every convolution expects in_channels inputs.',
           ("in_channels = v", "pass")),
    edited('vgg_features', 'stride-one-pool', "Pools with stride 1; torchvision's MaxPool2d(2, 2) halves the size.",
           ("nn.MaxPool2d(2, 2)", "nn.MaxPool2d(2, 1)")),
    edited('vgg_features', 'batch-norm',
           "Adds batch norm after each convolution (torchvision's vgg11_bn); plain VGG has only convolutions, ReLU and pooling.",
           ("nn.ReLU(inplace=True)", "nn.BatchNorm2d(v), nn.ReLU(inplace=True)")),
    Mistake('vgg_features', 'nested-blocks',
            "Groups the layers into one nn.Sequential per stage; torchvision's features are one flat nn.Sequential, so its state-dict names are 0.weight, 3.weight, ...", '''
import torch.nn as nn

def vgg_features(config, in_channels=3):
    stages, current = [], []
    for v in config:
        if v == "M":
            stages.append(nn.Sequential(*current, nn.MaxPool2d(2, 2)))
            current = []
        else:
            current += [nn.Conv2d(in_channels, v, 3, padding=1), nn.ReLU()]
            in_channels = v
    if current:
        stages.append(nn.Sequential(*current))
    return nn.Sequential(*stages)
'''),
    edited('nin_block', 'stride-everywhere',
           "Gives the 1x1 convolutions the block's stride too; only the first convolution has a stride.",
           ("1, 1, 0), nn.ReLU(),", "1, stride, 0), nn.ReLU(),"),
           ("1, 1, 0), nn.ReLU())", "1, stride, 0), nn.ReLU())")),
    edited('nin_block', 'padding-everywhere',
           'Pads the 1x1 convolutions too, which grows the image by 2 pixels each; only the first convolution has padding.',
           ("1, 1, 0), nn.ReLU(),", "1, 1, padding), nn.ReLU(),"),
           ("1, 1, 0), nn.ReLU())", "1, 1, padding), nn.ReLU())")),
    edited('nin_block', 'no-last-relu',
           'Leaves out the last ReLU; every convolution of a NiN block, the last one included, is followed by ReLU.',
           ("1, 1, 0), nn.ReLU())", "1, 1, 0))")),
    edited('nin_block', 'kernel-everywhere',
           'Uses kernel_size for all three convolutions; the second and third are 1x1 (a per-pixel MLP over the channels).',
           ("1, 1, 0), nn.ReLU(),", "kernel_size, 1, (kernel_size - 1) // 2), nn.ReLU(),"),
           ("1, 1, 0), nn.ReLU())", "kernel_size, 1, (kernel_size - 1) // 2), nn.ReLU())")),
    edited('global_avg_pool', 'no-keepdim',
           'Drops the spatial dimensions ((N, C) instead of (N, C, 1, 1)); F.adaptive_avg_pool2d(x, 1) keeps them with size 1: keepdim=True.',
           ("(-2, -1), keepdim=True)", "(-2, -1))")),
    Mistake('global_avg_pool', 'fixed-kernel',
            'Pools with a fixed 7x7 window (nn.AvgPool2d(7)), which only fits 7x7 feature maps; global pooling averages over whatever H and W the input has.', '''
def global_avg_pool(x):
    return F.avg_pool2d(x, 7, ceil_mode=True)
'''),
    Mistake('global_avg_pool', 'square-kernel',
            'Uses a square H x H window, assuming square feature maps; the window must be H x W.', '''
def global_avg_pool(x):
    return F.avg_pool2d(x, x.shape[-2])
'''),
    edited('global_avg_pool', 'batch-dims',
           'Averages over dims (2, 3), which assumes a batch dimension; a (C, H, W) input has its spatial dimensions last: use (-2, -1).',
           ("dim=(-2, -1)", "dim=(2, 3)")),
    edited('global_avg_pool', 'max-pool', 'Takes the maximum of each channel (global max pooling); GAP averages.',
           ("x.mean", "x.amax")),
    Mistake('global_avg_pool', 'view-flatten',
            'Flattens the spatial dimensions with .view(), which fails on a non-contiguous input (a transposed or channels-last tensor); use .reshape() or mean over two dims.', '''
def global_avg_pool(x):
    return x.view(*x.shape[:-2], -1).mean(-1)[..., None, None]
'''),
    Mistake('global_avg_pool', 'in-place',
            "Divides the input in place before summing (x /= H * W), which changes the caller's tensor; compute a new tensor instead.", '''
def global_avg_pool(x):
    with torch.no_grad():
        x /= x.shape[-2] * x.shape[-1]
    return x.sum(dim=(-2, -1), keepdim=True)
'''),
    Mistake('global_avg_pool', 'cpu-weights',
            "Averages with a weight tensor made on the CPU (torch.ones(h, w)), which fails for an input on a GPU; make new tensors on x's device, or use x.mean.", '''
def global_avg_pool(x):
    h, w = x.shape[-2:]
    weights = torch.ones(h, w, dtype=x.dtype) / (h * w)
    return (x * weights).sum(dim=(-2, -1), keepdim=True)
'''),
    edited('Inception', 'wrong-order',
           "Concatenates the pooling branch first; the order is 1x1, 3x3, 5x5, pooling, which fixes which channels the next layer's weights read.",
           ("self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)",
            "self.branch4(x), self.branch1(x), self.branch2(x), self.branch3(x)")),
    edited('Inception', 'torchvision-3x3',
           "Uses a 3x3 kernel in the 5x5 branch, as torchvision's googlenet does (a bug kept for its weights); this exercise follows the paper: 5x5 with padding 2.",
           ("ch5x5, 5, padding=2", "ch5x5, 3, padding=1")),
    edited('Inception', 'no-reduction-relu',
           'Leaves out the ReLU after the 1x1 reductions; every convolution of the block is followed by ReLU.',
           ("nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),", "nn.Conv2d(in_channels, ch3x3red, 1), "),
           ("nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),", "nn.Conv2d(in_channels, ch5x5red, 1), ")),
    edited('Inception', 'avg-pool-branch',
           "Uses average pooling in the fourth branch; GoogLeNet's is 3x3 max pooling with stride 1 and padding 1.",
           ("nn.MaxPool2d(3, stride=1, padding=1)", "nn.AvgPool2d(3, stride=1, padding=1)")),
    edited('Inception', 'batch-concat',
           'Concatenates along dim 0, the batch; the branches are stacked along the channels, dim 1 of an (N, C, H, W) tensor.',
           ("dim=1", "dim=0")),
    Mistake('count_params', 'state-dict',
            "Counts the state dict, which also holds buffers (batch norm's running statistics) and lists a shared weight under each of its names.", '''
def count_params(model, trainable_only=False):
    return sum(t.numel() for t in model.state_dict().values())
'''),
    Mistake('count_params', 'per-module',
            "Adds up each module's own parameters over named_modules(), which counts a weight shared by two layers twice; model.parameters() yields each parameter once.", '''
def count_params(model, trainable_only=False):
    total = 0
    for _, module in model.named_modules():
        for p in module.parameters(recurse=False):
            if p.requires_grad or not trainable_only:
                total += p.numel()
    return total
'''),
    edited('count_params', 'ignores-flag',
           'Ignores trainable_only; frozen parameters (requires_grad=False) are not trainable.',
           ("model.parameters() if p.requires_grad or not trainable_only", "model.parameters()")),
    Mistake('count_params', 'counts-tensors',
            'Counts parameter tensors, not their elements: use p.numel().', '''
def count_params(model, trainable_only=False):
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])
'''),
    Mistake('count_params', 'top-level-only',
            "Counts only the model's direct children's own parameters, missing nested layers.", '''
def count_params(model, trainable_only=False):
    return sum(p.numel() for child in model.children() for p in child.parameters(recurse=False)
               if p.requires_grad or not trainable_only)
'''),
    Mistake('count_params', 'freezes-model',
            "Switches requires_grad off while counting, which freezes the caller's model; counting must leave the model unchanged.", '''
def count_params(model, trainable_only=False):
    total = 0
    for p in model.parameters():
        if p.requires_grad or not trainable_only:
            total += p.numel()
        p.requires_grad_(False)
    return total
'''),
    edited('count_flops', 'macs',
           'Counts multiply-accumulates (MACs), half the FLOPs: each term of a dot product is a multiply and an add, 2 FLOPs.',
           ("total += 2 * output.numel() * module.weight", "total += output.numel() * module.weight"),
           ("total += 2 * output.numel() * module.in_features", "total += output.numel() * module.in_features")),
    edited('count_flops', 'ignores-groups',
           "Uses in_channels instead of in_channels / groups; with groups each output channel sees only its group's channels.",
           ("module.weight[0].numel()", "module.in_channels * module.kernel_size[0] * module.kernel_size[1]")),
    edited('count_flops', 'keeps-hooks',
           'Never removes its hooks, so they stay on the model and run at every later forward pass; remove each one with handle.remove().',
           ("for h in handles:\n"
            "        h.remove()\n",
            "pass\n")),
    edited('count_flops', 'children-only',
           'Hooks only model.children(), missing the layers nested inside blocks; model.modules() visits every layer.',
           ("model.modules()", "model.children()")),
    Mistake('count_flops', 'from-parameters',
            'Counts each layer once from its weights (2 * weight.numel() * output positions of the first call), so a layer called twice counts once.', '''
import torch.nn as nn

def count_flops(model, x):
    seen = {}

    def hook(module, inputs, output):
        if module not in seen:
            positions = output.numel() // output.shape[1 if isinstance(module, nn.Conv2d) else -1]
            seen[module] = 2 * module.weight.numel() * positions

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return sum(seen.values())
'''),
    edited('count_flops', 'counts-bias',
           'Adds the bias additions; FlopCounterMode counts only the multiply-adds of the products.',
           ("module.weight[0].numel()",
            "module.weight[0].numel() + (output.numel() if module.bias is not None else 0)"),
           ("module.in_features", "module.in_features + (output.numel() if module.bias is not None else 0)")),
    edited('count_flops', 'batch-one', 'Counts one image, ignoring the batch size; FLOPs are for the whole input x.',
           ("2 * output.numel() * module.weight", "2 * output[0].numel() * module.weight"),
           ("2 * output.numel() * module.in_features", "2 * output[0].numel() * module.in_features")),
]

VARIANTS = [
    Variant('AlexNet', 'loops', 'builds the layers in loops, reshape instead of flatten, non-inplace ReLU', '''
import torch.nn as nn

class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, width=64, hidden=4096, dropout=0.5, in_channels=3):
        super().__init__()
        channels = [in_channels, width, 3 * width, 6 * width, 4 * width, 4 * width]
        kernels, pads = [11, 5, 3, 3, 3], [2, 2, 1, 1, 1]
        layers = []
        for i in range(5):
            layers += [nn.Conv2d(channels[i], channels[i + 1], kernels[i], stride=4 if i == 0 else 1,
                                 padding=pads[i]), nn.ReLU()]
            if i in (0, 1, 4):
                layers.append(nn.MaxPool2d(kernel_size=3, stride=2))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(6)
        sizes = [channels[-1] * 6 * 6, hidden, hidden]
        head = []
        for a, b in zip(sizes, sizes[1:]):
            head += [nn.Dropout(p=dropout), nn.Linear(a, b), nn.ReLU()]
        self.classifier = nn.Sequential(*head, nn.Linear(hidden, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.reshape(x.shape[0], -1)
        return self.classifier(x)
'''),
    Variant('AlexNet', 'tuple-args', 'tuple kernel sizes and positional arguments, torch.flatten', '''
import torch.nn as nn

class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, width=64, hidden=4096, dropout=0.5, in_channels=3):
        super().__init__()
        w = width
        self.features = nn.Sequential(nn.Conv2d(in_channels, w, (11, 11), (4, 4), (2, 2)), nn.ReLU(),
                                      nn.MaxPool2d((3, 3), (2, 2)),
                                      nn.Conv2d(w, 3 * w, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                                      nn.Conv2d(3 * w, 6 * w, 3, 1, 1), nn.ReLU(),
                                      nn.Conv2d(6 * w, 4 * w, 3, 1, 1), nn.ReLU(),
                                      nn.Conv2d(4 * w, 4 * w, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * w * 36, hidden), nn.ReLU(),
                                        nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
                                        nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), start_dim=1))
'''),
    Variant('vgg_block', 'list-comprehension', 'a flat list comprehension, tuple kernel sizes', '''
import torch.nn as nn

def vgg_block(num_convs, in_channels, out_channels):
    chans = [in_channels] + [out_channels] * num_convs
    layers = [layer for a, b in zip(chans, chans[1:])
              for layer in (nn.Conv2d(a, b, kernel_size=(3, 3), stride=1, padding=(1, 1)), nn.ReLU())]
    return nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2))
'''),
    Variant('vgg_block', 'add-module', 'an empty nn.Sequential filled with add_module and string indices', '''
import torch.nn as nn

def vgg_block(num_convs, in_channels, out_channels):
    block = nn.Sequential()
    for i in range(num_convs):
        block.add_module(str(2 * i), nn.Conv2d(out_channels if i else in_channels, out_channels, 3, 1, 1))
        block.add_module(str(2 * i + 1), nn.ReLU(True))
    block.add_module(str(2 * num_convs), nn.MaxPool2d(2))
    return block
'''),
    Variant('vgg_features', 'isinstance-int', 'tests isinstance(v, int), keeps the channel count in another name', '''
import torch.nn as nn

def vgg_features(config, in_channels=3):
    modules, channels = [], in_channels
    for item in config:
        if isinstance(item, int):
            modules.append(nn.Conv2d(channels, item, kernel_size=3, stride=1, padding=1))
            modules.append(nn.ReLU())
            channels = item
        else:
            modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*modules)
'''),
    Variant('vgg_features', 'ordered-dict', 'an OrderedDict with string indices', '''
import torch.nn as nn
from collections import OrderedDict

def vgg_features(config, in_channels=3):
    layers = OrderedDict()
    for v in config:
        if v == "M":
            layers[str(len(layers))] = nn.MaxPool2d(2)
        else:
            layers[str(len(layers))] = nn.Conv2d(in_channels, v, 3, padding=1)
            layers[str(len(layers))] = nn.ReLU(inplace=True)
            in_channels = v
    return nn.Sequential(layers)
'''),
    Variant('nin_block', 'keywords', 'keyword arguments and tuple sizes', '''
import torch.nn as nn

def nin_block(in_channels, out_channels, kernel_size, stride=1, padding=0):
    layers = [nn.Conv2d(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size, stride=stride,
                        padding=padding), nn.ReLU()]
    for _ in range(2):
        layers += [nn.Conv2d(out_channels, out_channels, kernel_size=(1, 1)), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)
'''),
    Variant('nin_block', 'add-module', 'add_module with string indices', '''
import torch.nn as nn

def nin_block(in_channels, out_channels, kernel_size, stride=1, padding=0):
    block = nn.Sequential()
    sizes = [(in_channels, kernel_size, stride, padding), (out_channels, 1, 1, 0), (out_channels, 1, 1, 0)]
    for i, (c, k, s, p) in enumerate(sizes):
        block.add_module(str(2 * i), nn.Conv2d(c, out_channels, k, s, p))
        block.add_module(str(2 * i + 1), nn.ReLU())
    return block
'''),
    Variant('global_avg_pool', 'sum-divide', 'sum over both dims divided by H * W', '''
def global_avg_pool(x):
    h, w = x.shape[-2:]
    return x.sum(dim=-1, keepdim=True).sum(dim=-2, keepdim=True) / (h * w)
'''),
    Variant('global_avg_pool', 'flatten-mean', 'flatten the last two dims, mean, unsqueeze twice', '''
def global_avg_pool(x):
    return x.flatten(-2).mean(-1).unsqueeze(-1).unsqueeze(-1)
'''),
    Variant('Inception', 'branch-list', 'the branches in a loop, keyword arguments', '''
import torch.nn as nn

class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(inplace=True),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(inplace=True),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat(tuple(b(x) for b in (self.branch1, self.branch2, self.branch3, self.branch4)), 1)
'''),
    Variant('Inception', 'pool-keywords', 'tuple sizes, torch.concat', '''
import torch.nn as nn

class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, (5, 5), padding=(2, 2)), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        outs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.concat(outs, dim=-3)
'''),
    Variant('count_params', 'named-parameters-loop', 'a loop over named_parameters', '''
def count_params(model, trainable_only=False):
    n = 0
    for _, p in model.named_parameters():
        if trainable_only and not p.requires_grad:
            continue
        n += math.prod(p.shape)
    return int(n)
'''),
    Variant('count_params', 'filter', 'filter, then sum of numel', '''
def count_params(model, trainable_only=False):
    params = filter(lambda p: p.requires_grad, model.parameters()) if trainable_only else model.parameters()
    return sum(map(lambda p: p.numel(), params))
'''),
    Variant('count_flops', 'formula', "the convolution formula from the layer's attributes and a hook list in a try", '''
import torch.nn as nn

def count_flops(model, x):
    counts = []

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            n, c_out, h, w = out.shape
            kh, kw = m.kernel_size
            counts.append(2 * n * c_out * h * w * (m.in_channels // m.groups) * kh * kw)
        else:
            counts.append(2 * out.numel() * m.weight.shape[1])

    handles = [m.register_forward_hook(hook) for m in model.modules() if type(m) in (nn.Conv2d, nn.Linear)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return int(sum(counts))
'''),
    Variant('count_flops', 'global-hook', 'one hook for both layer types, math.prod of shapes', '''
import torch.nn as nn

def count_flops(model, x):
    total = [0]

    def hook(m, inp, out):
        total[0] += 2 * math.prod(out.shape) * math.prod(m.weight.shape[1:])

    handles = []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            handles.append(m.register_forward_hook(hook))
    try:
        model.eval()
        with torch.inference_mode():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return total[0]
'''),
]

ZH = {
    "AlexNet:softmax-output":
        "返回了 Softmax 概率（课程最初的 AlexNet 就是这样写的）；网络应当返回 logits，因为 F.cross_entropy 自己会做 "
        "log-softmax。",
    "AlexNet:flatten-batch":
        "用 x.view(-1) 展平，把批量里的各张图像合并在了一起；请保留批量维度：x.flatten(1)。",
    "AlexNet:no-first-padding":
        "漏掉了第一个卷积的 padding=2（论文用的是 227x227 的输入）；torchvision 的 AlexNet 填充 2，所以 224 得到 55x55，"
        "之后每一层的尺寸都会不同。",
    "AlexNet:non-overlapping-pooling":
        "用了 2x2 的池化窗口；AlexNet 的池化是重叠池化：3x3 窗口、步长 2。",
    "AlexNet:fixed-avgpool":
        "把自适应池化换成了 nn.AvgPool2d(1)，它只有在 224x224 的图像上才得到 6x6 的特征图；AdaptiveAvgPool2d((6, 6)) "
        "适用于任何尺寸。",
    "AlexNet:dropout-after-linear":
        "把 Dropout 放在了每个隐藏线性层之后；torchvision 的 AlexNet 丢弃的是前两个线性层的输入（Dropout 在 Linear 之前）。",
    "AlexNet:eval-dropout":
        "调用 F.dropout 时没有传 training=self.training，所以评估模式下 Dropout 仍然生效。",
    "vgg_block:no-padding":
        "漏掉了 padding=1，于是每个 3x3 卷积都让图像缩小 2 个像素；VGG 的卷积保持尺寸不变，只有池化把尺寸减半。",
    "vgg_block:in-channels-everywhere":
        "让每个卷积的输入通道数都是 in_channels；只有第一个卷积读取块的输入，其余卷积读取 out_channels 个通道。",
    "vgg_block:stride-one-pool":
        "池化的步长用了 1；VGG 的 2x2 池化步长为 2，把尺寸减半。",
    "vgg_block:avg-pool":
        "用了平均池化；VGG 的块以 2x2 最大池化结尾。",
    "vgg_block:inplace-first":
        "一开始就用原地（in-place）ReLU，改变了调用者的输入；每组都是卷积在前，ReLU 作用在卷积的输出上。",
    "vgg_block:pool-per-conv":
        "每个卷积之后都做了池化；一个 VGG 块只在所有卷积之后池化一次。",
    "vgg_features:no-padding":
        "漏掉了 padding=1；VGG 的 3x3 卷积保持尺寸不变，只有池化把尺寸减半。",
    "vgg_features:channels-not-updated":
        "卷积之后没有更新通道数，于是每个卷积都期待 in_channels 个输入通道。",
    "vgg_features:stride-one-pool":
        "池化的步长用了 1；torchvision 的 MaxPool2d(2, 2) 把尺寸减半。",
    "vgg_features:batch-norm":
        "在每个卷积之后加了批量归一化（那是 torchvision 的 vgg11_bn）；普通的 VGG 只有卷积、ReLU 和池化。",
    "vgg_features:nested-blocks":
        "把每个阶段的层分别打包成一个 nn.Sequential；torchvision 的 features 是一个扁平的 nn.Sequential，"
        "它的 state_dict 名称是 0.weight、3.weight……",
    "nin_block:stride-everywhere":
        "给 1x1 卷积也用了块的步长；只有第一个卷积有步长。",
    "nin_block:padding-everywhere":
        "给 1x1 卷积也加了填充，每个都让图像变大 2 个像素；只有第一个卷积有填充。",
    "nin_block:no-last-relu":
        "漏掉了最后一个 ReLU；NiN 块的每个卷积（包括最后一个）后面都跟着 ReLU。",
    "nin_block:kernel-everywhere":
        "三个卷积都用了 kernel_size；第二个和第三个是 1x1 卷积（在通道上逐像素作用的多层感知机）。",
    "global_avg_pool:no-keepdim":
        "去掉了空间维度（得到 (N, C) 而不是 (N, C, 1, 1)）；F.adaptive_avg_pool2d(x, 1) 保留这两个维度、大小为 1："
        "keepdim=True。",
    "global_avg_pool:fixed-kernel":
        "用固定的 7x7 窗口池化（nn.AvgPool2d(7)），它只适合 7x7 的特征图；全局池化对输入的整个 H 和 W 求平均。",
    "global_avg_pool:square-kernel":
        "用了 H x H 的正方形窗口，假设特征图是正方形；窗口必须是 H x W。",
    "global_avg_pool:batch-dims":
        "在第 (2, 3) 维上求平均，这假设了有批量维度；(C, H, W) 的输入的空间维度在最后：请用 (-2, -1)。",
    "global_avg_pool:max-pool":
        "取了每个通道的最大值（全局最大池化）；全局平均池化（GAP）求的是平均值。",
    "global_avg_pool:view-flatten":
        "用 .view() 展平空间维度，输入非连续时（转置或通道在后的张量）会出错；请用 .reshape()，或直接在两个维度上求平均。",
    "global_avg_pool:in-place":
        "求和之前原地除了输入（x /= H * W），改变了调用者的张量；请计算一个新的张量。",
    "global_avg_pool:cpu-weights":
        "用在 CPU 上新建的权重张量（torch.ones(h, w)）求平均，输入在 GPU 上时会出错；新建张量时请放在 x 所在的设备上，"
        "或者直接用 x.mean。",
    "Inception:wrong-order":
        "先拼接了池化分支；顺序是 1x1、3x3、5x5、池化，它决定了下一层的权重读取哪些通道。",
    "Inception:torchvision-3x3":
        "在 5x5 分支里用了 3x3 卷积核，和 torchvision 的 googlenet 一样（为了加载它的预训练权重而保留的 bug）；"
        "本练习按论文来：5x5 卷积核、填充 2。",
    "Inception:no-reduction-relu":
        "漏掉了 1x1 降维卷积之后的 ReLU；块里的每个卷积后面都跟着 ReLU。",
    "Inception:avg-pool-branch":
        "第四个分支用了平均池化；GoogLeNet 的是 3x3 最大池化，步长 1，填充 1。",
    "Inception:batch-concat":
        "沿第 0 维（批量维度）拼接；各分支应沿通道拼接，即 (N, C, H, W) 张量的第 1 维。",
    "count_params:state-dict":
        "统计了 state_dict，它还包含缓冲区（批量归一化的滑动统计量），并且把共享的权重在它的每个名字下都列一次。",
    "count_params:per-module":
        "在 named_modules() 上把每个模块自己的参数加起来，两层共享的权重会被数两次；model.parameters() 对每个参数只给出一次。",
    "count_params:ignores-flag":
        "忽略了 trainable_only；被冻结的参数（requires_grad=False）不是可训练参数。",
    "count_params:counts-tensors":
        "数的是参数张量的个数，而不是元素个数：请用 p.numel()。",
    "count_params:top-level-only":
        "只统计了模型直接子模块自身的参数，漏掉了嵌套的层。",
    "count_params:freezes-model":
        "统计时把 requires_grad 关掉了，这会冻结调用者的模型；统计参数量不能改变模型。",
    "count_flops:macs":
        "数的是乘加次数（MACs），只有 FLOPs 的一半：点积的每一项是一次乘法加一次加法，即 2 次浮点运算。",
    "count_flops:ignores-groups":
        "用了 in_channels 而不是 in_channels / groups；分组卷积中每个输出通道只看到自己那一组的通道。",
    "count_flops:keeps-hooks":
        "没有移除钩子（hook），它们留在模型上，之后每次正向传播都会运行；请用 handle.remove() 逐个移除。",
    "count_flops:children-only":
        "只在 model.children() 上注册钩子，漏掉了嵌套在块里的层；model.modules() 会访问每一层。",
    "count_flops:from-parameters":
        "根据权重对每层只数一次（2 * weight.numel() * 第一次调用的输出位置数），所以被调用两次的层只算了一次。",
    "count_flops:counts-bias":
        "把偏置的加法也算上了；FlopCounterMode 只统计乘积的乘加运算。",
    "count_flops:batch-one":
        "只数了一张图像，忽略了批量大小；FLOPs 是对整个输入 x 计算的。",
}
