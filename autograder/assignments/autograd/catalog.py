"""Assignment 3, "Autograd and gradient descent": mistakes students make, and correct variants."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments): many mistakes below are one of them
# with an edit or two, written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().to(torch.float64)
    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
        step[i] = eps
        step = step.reshape(x64.shape)
        grad[i] = (f(x64 + step) - f(x64 - step)) / (2 * eps)
    return grad.reshape(x.shape).to(x.dtype)
''',
    "gradient_descent": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach().clone())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
''',
    "sgd_step_": '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
''',
}
edited = partial(_edited, base=SOLUTIONS)

# momentum_step_ as several of its mistakes are written (the notebook's loop with `if p.grad is not None:`
# instead of `continue`): they are edits of it (base=_MOMENTUM).
_MOMENTUM = '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
'''


MISTAKES = [
    # ---- numerical_grad
    Mistake("numerical_grad", "forward-difference",
            "Uses the forward difference (f(x + eps) - f(x)) / eps, whose error grows like eps; the central "
            "difference (f(x + eps) - f(x - eps)) / (2 eps) is far more accurate.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
    base = f(x64)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
        step[i] = eps
        grad[i] = (f(x64 + step.reshape(x64.shape)) - base) / eps
    return grad.reshape(x.shape).to(x.dtype)
''', numerical=True),
    edited("numerical_grad", "divides-by-eps",
           "Divides the central difference by eps; the two points are 2 * eps apart, so divide by 2 * eps.",
           ("x.detach().to(torch.float64)", "x.detach().double()"),
           ("(2 * eps)", "eps")),
    Mistake("numerical_grad", "moves-every-coordinate",
            "Moves all coordinates at once (x + eps), which measures the sum of the partial derivatives; move "
            "one coordinate at a time.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    slope = (f(x64 + eps) - f(x64 - eps)) / (2 * eps)
    return torch.full_like(x, 1.0) * slope.to(x.dtype)
'''),
    Mistake("numerical_grad", "not-restored",
            "Moves coordinate i in place and never puts it back, so the later partial derivatives are taken "
            "at a different point.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double().clone(memory_format=torch.contiguous_format)
    flat = x64.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        up = f(x64)
        flat[i] -= 2 * eps
        down = f(x64)
        grad[i] = (up - down) / (2 * eps)
    return grad.reshape(x.shape).to(x.dtype)
''', numerical=True),
    Mistake("numerical_grad", "input-dtype",
            "Takes the differences in x's own dtype; in float32, f(x + eps) - f(x - eps) loses most of its "
            "digits to rounding, so compute in float64.", '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach()
    grad = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(x.numel()):
        step = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
        step[i] = eps
        step = step.reshape(x.shape)
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad.reshape(x.shape)
'''),
    Mistake("numerical_grad", "perturbs-callers-x",
            "Moves the entries of x.double() in place, but for a float64 x that is the caller's x itself: adding "
            "and subtracting eps leaves rounding changes behind (and an expanded x moves several entries at "
            "once); perturb a copy.", '''
def numerical_grad(f, x, eps=1e-6):
    import itertools
    x64 = x.detach().double()
    grad = torch.zeros(x.shape, dtype=torch.float64, device=x.device)
    for idx in itertools.product(*(range(n) for n in x.shape)):
        x64[idx] += eps
        up = f(x64)
        x64[idx] -= 2 * eps
        down = f(x64)
        x64[idx] += eps
        grad[idx] = (up - down) / (2 * eps)
    return grad.to(x.dtype)
''', numerical=True),
    edited("numerical_grad", "cpu-buffers",
           "Creates the gradient and the step with torch.zeros(...) on the default device (the CPU); on a GPU "
           "x + step then fails: create them with device=x.device.",
           ("x64 = x.detach().to(torch.float64)\n"
            "    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)\n",
            "x64 = x.detach().double()\n"
            "    grad = torch.zeros(x64.numel(), dtype=torch.float64)\n"),
           ("torch.float64, device=x.device", "torch.float64")),
    edited("numerical_grad", "float32-buffer",
           "Stores the float64 differences in torch.zeros(n), whose default dtype is float32, so a float64 x "
           "gets a gradient rounded to 7 digits; give the buffer dtype=torch.float64.",
           ("x64 = x.detach().to(torch.float64)\n"
            "    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)\n",
            "x64 = x.detach().double()\n"
            "    grad = torch.zeros(x64.numel(), device=x.device)\n"), numerical=True),
    # ---- linreg_grad
    Mistake("linreg_grad", "missing-factor-2",
            "Drops the 2 of the derivative of a square: the gradient of mean((X w - y)^2) is 2 X^T (X w - y) / n.", '''
def linreg_grad(X, y, w):
    return X.T @ (X @ w - y) / X.shape[0]
'''),
    Mistake("linreg_grad", "sum-not-mean",
            "Forgets to divide by n: the loss is the mean of the squared errors, so its gradient is divided by n "
            "too.", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (X @ w - y)
'''),
    Mistake("linreg_grad", "sign-flipped",
            "Uses the residual y - X w, which flips the gradient's sign; the gradient of the loss is "
            "2 X^T (X w - y) / n.", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (y - X @ w) / X.shape[0]
'''),
    Mistake("linreg_grad", "divides-by-d",
            "Divides by the number of features (X.shape[1] or len(w)); the mean is over the n samples, "
            "X.shape[0].", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (X @ w - y) / w.shape[0]
'''),
    Mistake("linreg_grad", "residual-into-y",
            "Computes the residual into y in place (y -= X @ w) to save memory, which changes the caller's "
            "targets; compute X @ w - y as a new tensor.", '''
def linreg_grad(X, y, w):
    y -= X @ w
    return -2 * X.T @ y / X.shape[0]
'''),
    Mistake("linreg_grad", "cpu-accumulator",
            "Sums the per-sample terms into torch.zeros(d) made on the default device (the CPU); on a GPU the "
            "sum fails: create it with device=X.device (or torch.zeros_like(w)).", '''
def linreg_grad(X, y, w):
    grad = torch.zeros(X.shape[1], dtype=X.dtype)
    for xi, yi in zip(X, y):
        grad = grad + 2 * (xi @ w - yi) * xi
    return grad / X.shape[0]
'''),
    # ---- gradient_descent
    edited("gradient_descent", "no-zero-grad",
           "Never zeroes w.grad, so backward() adds each new gradient to the old ones; reset it after every "
           "update (w.grad.zero_() or w.grad = None).",
           ("        w.grad.zero_()\n", "")),
    edited("gradient_descent", "detach-shares-memory",
           "Stores w.detach() in the path; detach() shares w's memory, so later in-place updates change every "
           "stored point. Store w.detach().clone().",
           ("[w.detach().clone()],", "[w.detach()],"),
           (".clone()", "")),
    edited("gradient_descent", "rebinds-w",
           "Updates with w = w - lr * w.grad, which makes w a non-leaf tensor whose .grad is None at the next "
           "step; update in place inside torch.no_grad().",
           ("with torch.no_grad():\n"
            "            w -= lr * w.grad\n"
            "        w.grad.zero_()\n",
            "w = w - lr * w.grad\n")),
    edited("gradient_descent", "sum-loss",
           "Minimises the sum of squared errors instead of their mean, so every step is n times too long.",
           (".mean", ".sum"),
           ("losses.append(loss.detach())", "losses.append(loss.detach() / X.shape[0])")),
    edited("gradient_descent", "cpu-zeros",
           "Creates w with torch.zeros(...) on the default device (the CPU); create it on X.device.",
           ("device=X.device, requires_grad", "requires_grad")),
    edited("gradient_descent", "losses-keep-the-graph",
           "Appends loss itself, not loss.detach(), so the losses still require grad and hold every step's "
           "graph (and cannot be plotted).",
           ("loss.detach()", "loss")),
    edited("gradient_descent", "path-of-clones",
           "Stores w.clone() in the path; a clone of a tensor that requires grad is part of the graph, so the "
           "path requires grad too. Store w.detach().clone().",
           ("[w.detach().clone()],", "[w.clone()],"),
           ("w.detach().clone", "w.clone")),
    edited("gradient_descent", "losses-on-default-device",
           "Collects loss.item() and returns torch.tensor(losses), which lands on the default device (the "
           "CPU), not X's; pass device=X.device.",
           ("losses.append(loss.detach())\n"
            "    return torch.stack(path), torch.stack(losses)\n",
            "losses.append(loss.item())\n"
            "    return torch.stack(path), torch.tensor(losses, dtype=X.dtype)\n")),
    # ---- sgd_step_
    edited("sgd_step_", "rebinds-loop-variable",
           "Assigns p = p - lr * p.grad, which only rebinds the loop variable; the tensor in params is "
           "unchanged. Update it in place: p -= lr * p.grad.",
           ("p -= lr * p.grad", "p = p - lr * p.grad")),
    Mistake("sgd_step_", "outside-no-grad",
            "Updates in place without torch.no_grad(); autograd forbids in-place changes to a leaf that "
            "requires grad.", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
'''),
    edited("sgd_step_", "new-tensors-in-list",
           "Puts new tensors into the list (params[i] = ...); the model still holds the old ones, so update "
           "each tensor in place.",
           ("p in params", "i, p in enumerate(params)"),
           ("p -=", "params[i] = p -")),
    edited("sgd_step_", "plus-sign", "Adds lr * grad, which climbs the loss; gradient descent subtracts it.",
           ("p -= lr * p.grad", "p += lr * p.grad")),
    edited("sgd_step_", "none-grad",
           "Assumes every parameter has a gradient; skip those whose .grad is None (they were not used by the "
           "loss).",
           ("if p.grad is not None:\n"
            "                p -= lr * p.grad\n",
            "p -= lr * p.grad\n")),
    edited("sgd_step_", "scales-grad-in-place",
           "Multiplies p.grad by lr in place (p.grad.mul_(lr)) before subtracting it, which changes the "
           "gradient the training loop (or a gradient check) reads next; compute lr * p.grad as a new tensor.",
           ("lr * p.grad", "p.grad.mul_(lr)")),
    edited("sgd_step_", "zeroes-grad-in-step",
           "Zeroes p.grad inside the step; the step must leave .grad alone (zeroing it is the training loop's "
           "job, with zero_grad before the next backward).",
           ("p -= lr * p.grad\n",
            "p -= lr * p.grad\n"
            "                p.grad.zero_()\n")),
    # ---- momentum_step_
    edited("momentum_step_", "velocity-not-stored",
           "Computes the new velocity into a local variable (v = momentum * v + grad), so it is lost after "
           "the step; update the tensor in velocities in place.",
           ("v.mul_(momentum).add_(p.grad)", "v = momentum * v + p.grad"), base=_MOMENTUM),
    edited("momentum_step_", "dampened",
           "Scales the gradient by (1 - momentum) (an exponential average); torch.optim.SGD adds the full "
           "gradient: v = momentum * v + grad.", ("add_(p.grad)", "add_((1 - momentum) * p.grad)"), base=_MOMENTUM),
    edited("momentum_step_", "stale-velocity",
           "Moves the parameter with the old velocity and updates the velocity afterwards; update v first, "
           "then p -= lr * v.",
           ("                v.mul_(momentum).add_(p.grad)\n                p -= lr * v\n",
            "                p -= lr * v\n                v.mul_(momentum).add_(p.grad)\n"), base=_MOMENTUM),
    edited("momentum_step_", "lr-twice",
           "Puts lr into the velocity and multiplies by lr again when updating p; use lr once (torch's "
           "v = momentum * v + grad, p -= lr * v).", ("add_(p.grad)", "add_(lr * p.grad)"), base=_MOMENTUM),
    Mistake("momentum_step_", "velocity-is-grad",
            "Adds momentum * v into p.grad in place and stores p.grad as the velocity: .grad changes, and after "
            "zero_grad(set_to_none=False) the velocity is wiped with it; keep the velocity in its own tensor.", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            g = p.grad
            g += momentum * velocities[i]
            velocities[i] = g
            p -= lr * g
'''),
    Mistake("momentum_step_", "first-velocity-aliases-grad",
            "On the first step stores p.grad itself as the velocity (torch.optim.SGD stores a clone); when "
            "zero_grad zeroes .grad in place, it zeroes the velocity too. Store p.grad.clone().", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            if bool((velocities[i] == 0).all()):
                velocities[i] = p.grad
            else:
                velocities[i].mul_(momentum).add_(p.grad)
            p -= lr * velocities[i]
'''),
]

VARIANTS = [
    Variant("numerical_grad", "eye-rows", "perturbations taken from the rows of an identity matrix", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().to(torch.float64)
    directions = torch.eye(x64.numel(), dtype=torch.float64, device=x.device) * eps
    diffs = [f(x64 + d.reshape(x64.shape)) - f(x64 - d.reshape(x64.shape)) for d in directions]
    if not diffs:
        return torch.zeros_like(x)
    return (torch.stack(diffs) / (2 * eps)).reshape(x.shape).to(x.dtype)
'''),
    Variant("numerical_grad", "five-point", "the fourth-order five-point stencil, restoring x in place", '''
def numerical_grad(f, x, eps=1e-6):
    point = x.detach().double().clone(memory_format=torch.contiguous_format)
    flat = point.view(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        saved = flat[i].clone()
        values = []
        for k in (2, 1, -1, -2):
            flat[i] = saved + k * eps
            values.append(f(point))
        flat[i] = saved
        grad[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad.view(x.shape).to(x.dtype)
'''),
    Variant("linreg_grad", "per-sample-loop", "a loop over the samples, adding 2 (x_i . w - y_i) x_i / n", '''
def linreg_grad(X, y, w):
    grad = torch.zeros_like(w)
    for xi, yi in zip(X, y):
        grad = grad + 2 * (xi @ w - yi) * xi
    return grad / X.shape[0]
'''),
    Variant("linreg_grad", "expanded", "the expanded form 2 (X^T X w - X^T y) / n, with einsum", '''
def linreg_grad(X, y, w):
    gram = torch.einsum("ni,nj->ij", X, X)
    return 2 * (gram @ w - torch.einsum("ni,n->i", X, y)) / len(y)
'''),
    Variant("linreg_grad", "residual-times-X", "the residual row-vector times X, in float64 inside", '''
def linreg_grad(X, y, w):
    residual = X.double() @ w.double() - y.double()
    return (residual @ X.double() * (2.0 / X.shape[0])).to(X.dtype)
'''),
    Variant("gradient_descent", "closed-form", "the gradient by hand, no autograd, a plain tensor updated", '''
def gradient_descent(X, y, lr, steps):
    w = X.new_zeros(X.shape[1])
    path, losses = [w], []
    for _ in range(steps):
        residual = X @ w - y
        losses.append((residual ** 2).mean())
        w = w - lr * 2 * (X.T @ residual) / X.shape[0]
        path.append(w)
    return torch.stack(path), torch.stack(losses)
'''),
    Variant("gradient_descent", "optim-sgd", "torch.optim.SGD does the update, into preallocated results", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    path = torch.empty(steps + 1, X.shape[1], dtype=X.dtype, device=X.device)
    losses = torch.empty(steps, dtype=X.dtype, device=X.device)
    path[0] = w.detach()
    for t in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(X @ w, y)
        loss.backward()
        opt.step()
        path[t + 1] = w.detach()
        losses[t] = loss.detach()
    return path, losses
'''),
    Variant("gradient_descent", "autograd-grad-new-leaf", "torch.autograd.grad, then a fresh leaf every step", '''
def gradient_descent(X, y, lr, steps):
    w = X.new_zeros(X.shape[1]).requires_grad_()
    path, losses = [w.detach()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        (g,) = torch.autograd.grad(loss, w)
        w = (w - lr * g).detach().requires_grad_()
        path.append(w.detach())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Variant("gradient_descent", "item-losses", "losses read with .item() into a list, returned on X's device", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = torch.mean((X @ w - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            w.grad = None
        path.append(w.detach().clone())
        losses.append(loss.item())
    return torch.stack(path), torch.tensor(losses, dtype=X.dtype, device=X.device)
'''),
    Variant("sgd_step_", "data", "updates p.data, which autograd does not track", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad.data
'''),
    Variant("sgd_step_", "detach-sub", "an in-place sub_ on p.detach(), which shares p's memory", '''
def sgd_step_(params, lr):
    for p in filter(lambda t: t.grad is not None, params):
        p.detach().sub_(p.grad, alpha=lr)
'''),
    Variant("momentum_step_", "course-convention", "the course's v = momentum * v - lr * grad; p += v", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).sub_(lr * p.grad)
                p.add_(v)
'''),
    Variant("momentum_step_", "replace-list-entries", "new velocity tensors stored back into the list; p.data updated", '''
def momentum_step_(params, velocities, lr, momentum):
    for i, p in enumerate(params):
        if p.grad is None:
            continue
        velocities[i] = momentum * velocities[i] + p.grad.detach()
        p.data.add_(velocities[i], alpha=-lr)
'''),
]

# The misconceptions in Chinese (the Chinese edition's feedback), one per mistake.
ZH = {
    "numerical_grad:forward-difference":
        "用了前向差分 (f(x + eps) - f(x)) / eps，它的误差与 eps 成正比；中心差分 (f(x + eps) - f(x - eps)) / (2 eps) 要精确得多。",
    "numerical_grad:divides-by-eps":
        "中心差分除以了 eps；两个点相距 2 * eps，应当除以 2 * eps。",
    "numerical_grad:moves-every-coordinate":
        "一次移动了所有坐标（x + eps），量到的是各偏导数之和；应当每次只移动一个坐标。",
    "numerical_grad:not-restored":
        "原地移动了第 i 个坐标却没有复原，于是后面的偏导数是在另一个点上求的。",
    "numerical_grad:input-dtype":
        "用 x 自己的数据类型做差分；在 float32 下，f(x + eps) - f(x - eps) 的大部分有效数字都被舍入误差吃掉了，应当用 float64 计算。",
    "numerical_grad:perturbs-callers-x":
        "原地移动 x.double() 的元素，但 x 本身是 float64 时，x.double() 就是调用者的 x：加上再减去 eps 会留下舍入误差"
        "（扩展得到的 x 还会一次移动好几个元素）；请在副本上移动。",
    "numerical_grad:cpu-buffers":
        "用 torch.zeros(...) 在默认设备（CPU）上创建梯度和步长；在 GPU 上 x + step 就会出错：请用 device=x.device 创建。",
    "numerical_grad:float32-buffer":
        "把 float64 的差分存进了 torch.zeros(n)，它默认是 float32，于是 float64 的 x 得到的梯度只剩 7 位有效数字；"
        "请给它 dtype=torch.float64。",
    "linreg_grad:missing-factor-2":
        "漏掉了平方求导得到的 2：mean((X w - y)^2) 的梯度是 2 X^T (X w - y) / n。",
    "linreg_grad:sum-not-mean":
        "忘了除以 n：损失是误差平方的均值，所以它的梯度也要除以 n。",
    "linreg_grad:sign-flipped":
        "用了残差 y - X w，梯度的符号反了；损失的梯度是 2 X^T (X w - y) / n。",
    "linreg_grad:divides-by-d":
        "除以了特征数（X.shape[1] 或 len(w)）；均值是对 n 个样本取的，应除以 X.shape[0]。",
    "linreg_grad:residual-into-y":
        "为了省内存把残差原地算进 y（y -= X @ w），这改变了调用者的目标值；请把 X @ w - y 算成一个新张量。",
    "linreg_grad:cpu-accumulator":
        "把每个样本的项累加进在默认设备（CPU）上创建的 torch.zeros(d)；在 GPU 上求和会出错：请用 device=X.device"
        "（或 torch.zeros_like(w)）创建。",
    "gradient_descent:no-zero-grad":
        "从不把 w.grad 清零，于是 backward() 把每个新梯度累加到旧梯度上；每次更新后都要清零（w.grad.zero_() 或 w.grad = None）。",
    "gradient_descent:detach-shares-memory":
        "把 w.detach() 存进路径；detach() 与 w 共享内存，之后的原地更新会改变每个已存的点。请存 w.detach().clone()。",
    "gradient_descent:rebinds-w":
        "用 w = w - lr * w.grad 更新，这让 w 变成非叶子节点，下一步它的 .grad 是 None；请在 torch.no_grad() 中原地更新。",
    "gradient_descent:sum-loss":
        "最小化的是误差平方和而不是均值，于是每一步都长了 n 倍。",
    "gradient_descent:cpu-zeros":
        "用 torch.zeros(...) 在默认设备（CPU）上创建 w；请在 X.device 上创建。",
    "gradient_descent:losses-keep-the-graph":
        "存的是 loss 本身而不是 loss.detach()，于是损失仍然需要梯度、保留着每一步的计算图（也无法画图）。",
    "gradient_descent:path-of-clones":
        "把 w.clone() 存进路径；对需要梯度的张量克隆，结果仍是计算图的一部分，所以路径也需要梯度。请存 w.detach().clone()。",
    "gradient_descent:losses-on-default-device":
        "收集 loss.item() 再返回 torch.tensor(losses)，它落在默认设备（CPU）上，而不是 X 所在的设备；请传入 device=X.device。",
    "sgd_step_:rebinds-loop-variable":
        "写了 p = p - lr * p.grad，这只是让循环变量指向新张量；params 里的张量没有变。请原地更新：p -= lr * p.grad。",
    "sgd_step_:outside-no-grad":
        "没有用 torch.no_grad() 就原地更新；自动求导不允许原地修改需要梯度的叶子节点。",
    "sgd_step_:new-tensors-in-list":
        "把新张量放进了列表（params[i] = ...）；模型持有的仍是旧张量，所以要原地更新每个张量。",
    "sgd_step_:plus-sign":
        "加上了 lr * grad，这是沿损失上升的方向走；梯度下降要减去它。",
    "sgd_step_:none-grad":
        "假定每个参数都有梯度；应跳过 .grad 为 None 的参数（损失没有用到它们）。",
    "sgd_step_:scales-grad-in-place":
        "减之前把 p.grad 原地乘以 lr（p.grad.mul_(lr)），这改变了训练循环（或梯度检查）接下来要读的梯度；请把 lr * p.grad 算成新张量。",
    "sgd_step_:zeroes-grad-in-step":
        "在更新步骤里把 p.grad 清零了；更新步骤不应改动 .grad（清零是训练循环的事：在下一次 backward 之前调用 zero_grad）。",
    "momentum_step_:velocity-not-stored":
        "把新速度算进了局部变量（v = momentum * v + grad），一步之后就丢失了；请原地更新 velocities 里的张量。",
    "momentum_step_:dampened":
        "把梯度乘了 (1 - momentum)（指数平均）；torch.optim.SGD 加的是完整的梯度：v = momentum * v + grad。",
    "momentum_step_:stale-velocity":
        "先用旧速度移动参数，再更新速度；应当先更新 v，再 p -= lr * v。",
    "momentum_step_:lr-twice":
        "把 lr 放进了速度，更新 p 时又乘了一次 lr；lr 只用一次（与 torch 一样：v = momentum * v + grad，p -= lr * v）。",
    "momentum_step_:velocity-is-grad":
        "把 momentum * v 原地加进 p.grad，并把 p.grad 当作速度保存：.grad 被改变了，而且 zero_grad(set_to_none=False) "
        "之后速度也随之被清空；速度要存在它自己的张量里。",
    "momentum_step_:first-velocity-aliases-grad":
        "第一步把 p.grad 本身存为速度（torch.optim.SGD 存的是克隆）；zero_grad 原地清零 .grad 时，速度也被清零了。请存 p.grad.clone()。",
}
