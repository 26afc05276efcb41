"""Assignment 5, "The data pipeline and the training loop": mistakes students make, and correct variants written
differently."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are: make_regression
# draws the noise inline, data_split_batches and train_test_split index with one permutation in a single
# expression, PairDataset raises a shorter ValueError, fit_with_tensorboard closes its writer by hand and
# divides the test loss by the dataset's length): many mistakes below are one of them with an edit or two,
# written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "make_regression": '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, len(w), generator=g, dtype=w.dtype).to(w.device)
    y = X @ w + b + noise * torch.randn(n, generator=g, dtype=w.dtype).to(w.device)
    return X, y
''',
    "make_classification": '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(k, n_per_class, d, generator=g, dtype=centers.dtype).to(centers.device)
    X = (centers.unsqueeze(1) + std * noise).reshape(k * n_per_class, d)
    return X, torch.arange(k, device=centers.device).repeat_interleave(n_per_class)
''',
    "data_split_batches": '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
''',
    "train_test_split": '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    return X[order[:n_train]], X[order[n_train:]], y[order[:n_train]], y[order[n_train:]]
''',
    "PairDataset": '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
''',
    "loss_with_loader": '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
            count += len(xb)
    return total / count
''',
    "accuracy_with_loader": '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
            count += len(yb)
    return correct / count
''',
    "fit": '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
''',
    "fit_with_tensorboard": '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- make_regression
    edited("make_regression", "noise-not-scaled",
           "Adds torch.randn(n) without multiplying by `noise`, so the noise always has std 1.",
           ("noise * torch.randn(n, generator=g, dtype=w.dtype)", "torch.randn(n, generator=g, dtype=w.dtype)")),
    edited("make_regression", "forgets-bias", "Leaves out the bias: y = X @ w + b + noise.",
           ("b + noise", "noise")),
    edited("make_regression", "uniform-features",
           "Draws the features with torch.rand (uniform on [0, 1)); they should be standard normal (torch.randn).",
           ("torch.randn(n, len(w), generator=g, dtype=w.dtype)", "torch.rand(n, len(w), generator=g, dtype=w.dtype)")),
    edited("make_regression", "stays-on-cpu", "Draws X on the CPU and never moves it to w's device: use .to(w.device).",
           ("X = torch.randn(n, len(w), generator=g, dtype=w.dtype).to(w.device)",
            "X = torch.randn(n, len(w), generator=g, dtype=w.dtype)"),
           ("torch.randn(n, generator=g, dtype=w.dtype).to(w.device)", "torch.randn(n, generator=g, dtype=w.dtype)")),
    # ---- make_classification
    Mistake("make_classification", "float-labels",
            "Makes the labels floats; class labels are int64 (torch.long), as cross-entropy expects.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = [], []
    for c, center in enumerate(centers):
        noise = torch.randn(n_per_class, len(center), generator=g, dtype=centers.dtype).to(centers.device)
        X.append(center + std * noise)
        y.append(torch.full((n_per_class,), float(c), device=centers.device))
    return torch.cat(X), torch.cat(y)
'''),
    edited("make_classification", "variance-as-std",
           "Multiplies the noise by std ** 2; torch.randn has std 1, so std * randn has std `std`.",
           ("std * noise", "std ** 2 * noise")),
    edited("make_classification", "labels-cycle",
           "Builds the labels with repeat (0, 1, 2, 0, 1, 2, ...), but the rows come class by class: use "
           "repeat_interleave (0, 0, ..., 1, 1, ...).",
           (".repeat_interleave(n_per_class)", ".repeat(n_per_class)")),
    edited("make_classification", "one-draw-for-all-classes",
           "Draws one block of noise and reuses it for every class, so the classes are exact copies of each "
           "other shifted; draw fresh noise for every class.",
           ("randn(k, n_per_class, d,", "randn(n_per_class, d,"),
           ("(centers.unsqueeze(1) + std * noise).reshape(k * n_per_class, d)",
            "torch.cat([center + std * noise for center in centers])")),
    # ---- data_split_batches
    Mistake("data_split_batches", "no-shuffle",
            "Cuts the batches in the original order; shuffle the indices first, or every epoch sees the same "
            "batches.", '''
def data_split_batches(X, y, batch_size, seed):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]
'''),
    Mistake("data_split_batches", "drops-last",
            "Makes len(X) // batch_size batches, which drops the last, smaller batch: its samples are never used.", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    batches = []
    for k in range(len(X) // batch_size):
        idx = order[k * batch_size:(k + 1) * batch_size]
        batches.append((X[idx], y[idx]))
    return batches
'''),
    Mistake("data_split_batches", "separate-shuffles",
            "Shuffles X and y with two different permutations, so features and labels no longer match; index "
            "both with the same shuffled indices.", '''
def data_split_batches(X, y, batch_size, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = X[torch.randperm(len(X), generator=g)], y[torch.randperm(len(y), generator=g)]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]
'''),
    Mistake("data_split_batches", "with-replacement",
            "Draws the indices with torch.randint, which repeats some samples and misses others; a permutation "
            "(torch.randperm) uses each exactly once.", '''
def data_split_batches(X, y, batch_size, seed):
    idx = torch.randint(0, len(X), (len(X),), generator=torch.Generator().manual_seed(seed))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
'''),
    # ---- train_test_split
    Mistake("train_test_split", "no-shuffle",
            "Takes the first rows for training without shuffling; data is often sorted (by class, by date), so "
            "shuffle first.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
'''),
    edited("train_test_split", "round-size",
           "Rounds n * train_fraction; the exercise (like the course) keeps int(n * train_fraction) samples, "
           "rounding down.",
           ("int(len(X) * train_fraction)", "round(len(X) * train_fraction)")),
    edited("train_test_split", "wrong-order",
           "Returns (X_train, y_train, X_test, y_test); the order is (X_train, X_test, y_train, y_test), like "
           "scikit-learn's train_test_split.",
           ("X[order[n_train:]], y[order[:n_train]]", "y[order[:n_train]], X[order[n_train:]]")),
    Mistake("train_test_split", "separate-shuffles",
            "Shuffles X and y with two different permutations, so training features and labels no longer match.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    g = torch.Generator().manual_seed(seed)
    X, y = X[torch.randperm(len(X), generator=g)], y[torch.randperm(len(y), generator=g)]
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
'''),
    # ---- PairDataset
    edited("PairDataset", "len-of-a-row",
           "Returns features.shape[1] (the number of columns) from __len__; the length is the number of samples "
           "(rows).",
           ("len(self.labels)", "self.features.shape[1]")),
    edited("PairDataset", "features-only",
           "Returns only the features from __getitem__; each item is the pair (features[i], labels[i]).",
           ("(self.labels)", "(self.features)"),
           ("self.features[index], self.labels[index]", "self.features[index]")),
    edited("PairDataset", "label-first",
           "Returns (labels[i], features[i]); the convention, which DataLoader batches and training loops rely "
           "on, is (features, label).",
           ("self.features[index], self.labels[index]", "self.labels[index], self.features[index]")),
    edited("PairDataset", "no-length-check",
           "Accepts features and labels of different lengths; raise ValueError, or a wrong pairing surfaces only "
           "much later.",
           ("        if len(features) != len(labels):\n"
            '            raise ValueError("lengths differ")\n',
            ""),
           ("(self.labels)", "(self.features)")),
    # ---- loss_with_loader
    Mistake("loss_with_loader", "mean-of-batch-means",
            "Averages the batch means; when the last batch is smaller, weigh each batch's mean by its size and "
            "divide by the number of samples.", '''
def loss_with_loader(model, loader, loss_fn):
    losses = []
    with torch.no_grad():
        for xb, yb in loader:
            losses.append(loss_fn(model(xb), yb).item())
    return sum(losses) / len(losses)
'''),
    Mistake("loss_with_loader", "sum-of-batch-means",
            "Adds up the batch means without dividing: the result grows with the number of batches.", '''
def loss_with_loader(model, loader, loss_fn):
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item()
    return total
'''),
    Mistake("loss_with_loader", "first-batch-only",
            "Returns inside the loop, so only the first batch is measured; return after the loop.", '''
def loss_with_loader(model, loader, loss_fn):
    with torch.no_grad():
        for xb, yb in loader:
            return loss_fn(model(xb), yb).item()
'''),
    edited("loss_with_loader", "full-batches-count",
           "Divides by len(loader) * batch_size, which counts the smaller last batch as full; count the samples.",
           ("total, count = 0.0, 0", "total = 0.0"),
           ("            count += len(xb)\n"
            "    return total / count\n",
            "    return total / (len(loader) * loader.batch_size)\n")),
    # ---- accuracy_with_loader
    Mistake("accuracy_with_loader", "mean-of-batch-accuracies",
            "Averages the per-batch accuracies; a smaller last batch then counts as much as a full one.", '''
def accuracy_with_loader(model, loader):
    accs = []
    with torch.no_grad():
        for xb, yb in loader:
            accs.append((model(xb).argmax(dim=1) == yb).float().mean().item())
    return sum(accs) / len(accs)
'''),
    edited("accuracy_with_loader", "max-values",
           "Compares the largest logit's value with the label; the predicted class is its position, argmax.",
           (".argmax(dim=1)", ".max(dim=1).values")),
    edited("accuracy_with_loader", "correct-count",
           "Returns the number of correct predictions; the accuracy divides it by the number of samples.",
           ("correct, count = 0, 0", "correct = 0"),
           ("            count += len(yb)\n"
            "    return correct / count\n",
            "    return float(correct)\n")),
    edited("accuracy_with_loader", "argmax-over-batch",
           "Takes argmax over dim 0 (the batch); the class is the argmax over each row's logits, dim 1.",
           ("dim=1", "dim=0")),
    # ---- fit
    edited("fit", "no-zero-grad",
           "Never zeroes the gradients: backward() adds to .grad, so every step also uses all the old gradients.",
           ("            optimizer.zero_grad()\n", "")),
    edited("fit", "zero-grad-before-step",
           "Zeroes the gradients between backward() and step(), so the step has nothing to follow; zero them "
           "before backward().",
           ("optimizer.zero_grad()\n"
            "            loss.backward()\n",
            "loss.backward()\n"
            "            optimizer.zero_grad()\n")),
    edited("fit", "step-before-backward",
           "Calls optimizer.step() before loss.backward(), so each step follows the previous batch's gradient.",
           ("optimizer.zero_grad()\n"
            "            loss.backward()\n"
            "            optimizer.step()\n",
            "optimizer.step()\n"
            "            optimizer.zero_grad()\n"
            "            loss.backward()\n")),
    edited("fit", "last-batch-loss",
           "Records only the last batch's loss of each epoch; the epoch loss is the mean over all its samples.",
           ("        total, count = 0.0, 0\n", ""),
           ("            total += loss.item() * len(xb)\n"
            "            count += len(xb)\n"
            "        history.append(total / count)\n",
            "        history.append(loss.item())\n")),
    edited("fit", "mean-of-batch-means",
           "Averages the batch losses without weighing them by batch size; a smaller last batch then counts too "
           "much.",
           ("total, count = 0.0, 0", "losses = []"),
           ("total += loss.item() * len(xb)\n"
            "            count += len(xb)\n"
            "        history.append(total / count)\n",
            "losses.append(loss.item())\n"
            "        history.append(sum(losses) / len(losses))\n")),
    # ---- fit_with_tensorboard
    edited("fit_with_tensorboard", 'last-batch-loss',
           "Logs the last batch's loss of each epoch under 'loss/train'; the epoch's loss is the mean over all its samples.",
           ("total / count", "loss.item()")),
    edited("fit_with_tensorboard", 'steps-from-1',
           'Logs epoch e at step e + 1; the steps are the epochs counted from 0.',
           ('("loss/train", total / count, epoch)', '("loss/train", total / count, epoch + 1)'),
           ('("loss/test", test_total / len(test_loader.dataset), epoch)',
            '("loss/test", test_total / len(test_loader.dataset), epoch + 1)')),
    edited("fit_with_tensorboard", 'test-in-train-mode',
           'Measures the test loss in training mode (no model.eval()), so dropout is still active on the test data.',
           ("        model.eval()\n", "")),
    edited("fit_with_tensorboard", 'never-back-to-train',
           'Calls model.eval() for the test loss but never model.train() again, so later epochs train with dropout off.',
           ("for epoch in range(epochs):\n"
            "        model.train()\n",
            "for epoch in range(epochs):\n"),
           ("        model.train()\n", "")),
    edited("fit_with_tensorboard", 'test-loss-with-gradients',
           'Measures the test loss without torch.no_grad(): autograd records a graph for every test batch, for nothing.',
           ("with torch.no_grad()", "if True")),
    edited("fit_with_tensorboard", 'no-close',
           'Never closes the writer, so the last events may never be written to disk; call writer.close().',
           ("    writer.close()\n", "")),
    edited("fit_with_tensorboard", 'no-graph',
           'Forgets writer.add_graph(model, X_batch), so TensorBoard has no graph of the model.',
           ("    writer.add_graph(model, next(iter(train_loader))[0])\n", "")),
    edited("fit_with_tensorboard", 'test-before-training',
           "Measures the test loss before the epoch's training steps; log it after them.",
           ("for epoch in range(epochs):\n",
            "for epoch in range(epochs):\n"
            "        model.eval()\n"
            "        test_total = 0.0\n"
            "        with torch.no_grad():\n"
            "            for xb, yb in test_loader:\n"
            "                test_total += loss_fn(model(xb), yb).item() * len(xb)\n"),
           ("count += len(xb)\n"
            "        model.eval()\n"
            "        test_total = 0.0\n"
            "        with torch.no_grad():\n"
            "            for xb, yb in test_loader:\n"
            "                test_total += loss_fn(model(xb), yb).item() * len(xb)\n"
            "        model.train()\n",
            "count += len(xb)\n")),
    # ---- issue 18: mutated inputs, layouts, devices, return types, statistics
    Mistake("make_regression", "reseeded-noise",
            "Seeds a second generator with the same seed for the noise, so the noise repeats the first features "
            "drawn and is correlated with X; draw everything from one generator.", '''
def make_regression(n, w, b, noise, seed):
    X = torch.randn(n, len(w), generator=torch.Generator().manual_seed(seed), dtype=w.dtype).to(w.device)
    eps = torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=w.dtype).to(w.device)
    return X, X @ w + b + noise * eps
'''),
    edited("make_regression", "column-y",
           "Multiplies by w as a column (w.view(-1, 1)), so y has shape (n, 1) instead of (n,), and view fails for "
           "a non-contiguous w.",
           ("y = X @ w + b + noise * torch.randn(n, generator=g, dtype=w.dtype)",
            "eps = torch.randn(n, 1, generator=g, dtype=w.dtype)"),
           ("X, y", "X, X @ w.view(-1, 1) + b + noise * eps")),
    edited("make_classification", "one-noise-per-row",
           "Draws one number per row (shape (n, 1)) and broadcasts it over the coordinates, so every coordinate of "
           "a row moves together; draw one per row and coordinate.",
           ("randn(k, n_per_class, d,", "randn(k, n_per_class, 1,")),
    edited("make_classification", "centers-repeat",
           "Repeats the centers with centers.repeat(n_per_class, 1), which interleaves the classes (0, 1, 2, 0, ...) "
           "while the labels come class by class; use repeat_interleave for both.",
           ("randn(k, n_per_class, d,", "randn(k * n_per_class, d,"),
           ("(centers.unsqueeze(1) + std * noise).reshape(k * n_per_class, d)",
            "centers.repeat(n_per_class, 1) + std * noise")),
    Mistake("data_split_batches", "shuffle-in-place",
            "Shuffles the caller's X and y in place (X[:] = X[order]) before cutting them: the data outside the "
            "function changes; index copies instead.", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    X[:], y[:] = X[order], y[order]
    return [(X[i:i + batch_size].clone(), y[i:i + batch_size].clone()) for i in range(0, len(X), batch_size)]
'''),
    edited("data_split_batches", "float-features",
           "Converts the features to float (X.float()), which changes integer, boolean and float64 data; keep X's "
           "dtype.",
           ("return [(X[order",
            "Xf = X.float()\n"
            "    return [(Xf[order")),
    Mistake("train_test_split", "shuffle-in-place",
            "Shuffles the caller's X and y in place before slicing: the caller's data is reordered; index copies "
            "instead.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    X[:], y[:] = X[order], y[order]
    k = int(len(X) * train_fraction)
    return X[:k].clone(), X[k:].clone(), y[:k].clone(), y[k:].clone()
'''),
    Mistake("train_test_split", "numpy-round-trip",
            "Goes through numpy (X.numpy()) to shuffle, which works only for CPU tensors; shuffle with "
            "torch.randperm.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).numpy()
    Xn, yn = X.numpy()[order], y.numpy()[order]
    k = int(len(X) * train_fraction)
    return torch.from_numpy(Xn[:k]), torch.from_numpy(Xn[k:]), torch.from_numpy(yn[:k]), torch.from_numpy(yn[k:])
'''),
    edited("PairDataset", "compares-shapes",
           "Checks features.shape != labels.shape, which rejects every valid dataset whose features have more than "
           "one column; compare the lengths (the first dimension).",
           ("len(features) != len(labels)", "features.shape != labels.shape"),
           ("lengths differ", "shapes differ")),
    edited("PairDataset", "float-features",
           "Converts the features to float32 in __init__ (features.float()), which changes integer, boolean and "
           "float64 data; keep them as given.",
           ("self.labels = features, labels", "self.labels = features.float(), labels")),
    edited("loss_with_loader", "returns-tensor",
           "Adds up the batch losses as tensors and returns a 0-d tensor; return a Python float (.item()).",
           ("total += loss_fn(model(xb), yb).item()", "total = total + loss_fn(model(xb), yb)")),
    Mistake("loss_with_loader", "tracks-gradients",
            "Evaluates without torch.no_grad(), so autograd records a graph for every batch, for nothing.", '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    for xb, yb in loader:
        total += loss_fn(model(xb), yb).item() * len(xb)
        count += len(xb)
    return total / count
'''),
    Mistake("loss_with_loader", "backward-in-evaluation",
            "Calls backward() on the evaluation loss, which adds to the parameters' .grad and spoils the next "
            "training step; evaluation only reads the model.", '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
'''),
    edited("accuracy_with_loader", "tensor-count",
           "Counts the correct predictions in a tensor and returns a 0-d tensor; return a Python float.",
           ("correct += (model(xb).argmax(dim=1) == yb).sum().item()",
            "correct = correct + (model(xb).argmax(dim=1) == yb).sum()")),
    Mistake("accuracy_with_loader", "tracks-gradients",
            "Evaluates without torch.no_grad(), so autograd records a graph for every batch, for nothing.", '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    for xb, yb in loader:
        correct += (model(xb).argmax(dim=1) == yb).sum().item()
        count += len(yb)
    return correct / count
'''),
    edited("fit", "tensor-losses",
           "Keeps the epoch losses as tensors (no .item()), which keeps every batch's graph alive; return Python "
           "floats.",
           ("total += loss.item()", "total = total + loss")),
    edited("fit", "zero-grad-per-epoch",
           "Zeroes the gradients once per epoch instead of once per batch, so each step also follows the earlier "
           "batches' gradients.",
           ("for _ in range(epochs):\n",
            "for _ in range(epochs):\n"
            "        optimizer.zero_grad()\n"),
           ("            optimizer.zero_grad()\n", "")),
]

VARIANTS = [
    Variant("make_regression", "float64-addmv", "draws in float64 with torch.normal, then torch.addmv", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.normal(0.0, 1.0, size=(n, len(w)), generator=g, dtype=torch.float64).to(w.device, w.dtype)
    eps = torch.normal(0.0, 1.0, size=(n,), generator=g, dtype=torch.float64).to(w.device, w.dtype)
    return X, torch.addmv(b + noise * eps, X, w)
'''),
    Variant("make_regression", "one-draw", "one randn draw of n x (d + 1) values split into X and the noise", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    draws = torch.randn(n, len(w) + 1, generator=g, dtype=w.dtype).to(w.device)
    X, eps = draws[:, :-1], draws[:, -1]
    return X.contiguous(), torch.mv(X, w) + b + noise * eps
'''),
    Variant("make_classification", "loop-cat", "a loop over the classes, with torch.cat and torch.full", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = [], []
    for c in range(len(centers)):
        noise = torch.randn(n_per_class, centers.shape[1], generator=g, dtype=centers.dtype).to(centers.device)
        X.append(centers[c] + std * noise)
        y.append(torch.full((n_per_class,), c, dtype=torch.long, device=centers.device))
    return torch.cat(X), torch.cat(y)
'''),
    Variant("make_classification", "index-centers", "labels first, then centers[y] plus one noise draw", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    y = torch.arange(k).repeat_interleave(n_per_class).to(centers.device)
    noise = torch.normal(0.0, 1.0, size=(k * n_per_class, d), generator=g).to(centers.device, centers.dtype)
    return centers[y] + std * noise, y
'''),
    Variant("data_split_batches", "split-indices", "torch.split on the permuted indices", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    return [(X[idx], y[idx]) for idx in torch.split(order, batch_size)]
'''),
    Variant("data_split_batches", "permute-then-slice", "permutes X and y together once, then slices", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed + 12345)).tolist()
    Xs, ys = X[order], y[order]
    out = []
    start = 0
    while start < len(Xs):
        out.append([Xs[start:start + batch_size], ys[start:start + batch_size]])
        start += batch_size
    return out
'''),
    Variant("train_test_split", "global-seed", "torch.manual_seed and a boolean mask", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    torch.manual_seed(seed)
    n = len(X)
    order = torch.randperm(n)
    in_train = torch.zeros(n, dtype=torch.bool)
    in_train[order[:int(n * train_fraction)]] = True
    in_train = in_train.to(X.device)
    return X[in_train], X[~in_train], y[in_train], y[~in_train]
'''),
    Variant("train_test_split", "math-floor", "math.floor and one permuted copy of X and y", '''
import math

def train_test_split(X, y, train_fraction=0.7, seed=0):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(X.shape[0], generator=g).to(X.device)
    Xp, yp = X.index_select(0, perm), y.index_select(0, perm)
    k = math.floor(X.shape[0] * train_fraction)
    return Xp[:k], Xp[k:], yp[:k], yp[k:]
'''),
    Variant("PairDataset", "tensordataset", "a subclass of TensorDataset that checks the lengths first", '''
from torch.utils.data import TensorDataset


class PairDataset(TensorDataset):
    def __init__(self, features, labels):
        if features.shape[0] != labels.shape[0]:
            raise ValueError("features and labels differ in length")
        super().__init__(features, labels)
'''),
    Variant("PairDataset", "list-of-pairs", "stores a list of (row, label) pairs; items are lists", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError(f"{len(features)} != {len(labels)}")
        self.pairs = [[f, l] for f, l in zip(features, labels)]

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        return self.pairs[i]
'''),
    Variant("loss_with_loader", "reduction-sum", "sums per-sample losses from a reduction='none' copy of loss_fn", '''
def loss_with_loader(model, loader, loss_fn):
    per_sample = type(loss_fn)(reduction="sum")
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += per_sample(model(xb), yb).item() / (yb.numel() // len(yb))
            count += len(yb)
    return total / count
'''),
    Variant("loss_with_loader", "tensor-accumulator", "accumulates in a float64 tensor, divides by len(loader.dataset)",
            '''
def loss_with_loader(model, loader, loss_fn):
    model_was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64)
    with torch.inference_mode():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).double().cpu() * xb.shape[0]
    model.train(model_was_training)
    return (total / len(loader.dataset)).item()
'''),
    Variant("accuracy_with_loader", "collect-then-compare", "collects every prediction, then compares once", '''
def accuracy_with_loader(model, loader):
    preds, labels = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(torch.max(model(xb), dim=1).indices)
            labels.append(yb)
    return torch.cat(preds).eq(torch.cat(labels)).double().mean().item()
'''),
    Variant("accuracy_with_loader", "dataset-length", "counts with torch.sum and divides by len(loader.dataset)", '''
def accuracy_with_loader(model, loader):
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += int(torch.sum(torch.argmax(model(xb), dim=-1) == yb))
    return correct / len(loader.dataset)
'''),
    Variant("fit", "zero-grad-at-end", "zeroes the gradients after each step (before the next backward)", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    optimizer.zero_grad()
    losses = []
    for epoch in range(epochs):
        seen, running = 0, 0.0
        model.train()
        for xb, yb in loader:
            batch_loss = loss_fn(model(xb), yb)
            batch_loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            running += batch_loss.detach().double().item() * yb.shape[0]
            seen += yb.shape[0]
        losses.append(running / seen)
    return losses
'''),
    Variant("fit", "dataset-length-tensor", "sums in a tensor and divides by len(loader.dataset)", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    result = []
    for _ in range(epochs):
        epoch_sum = torch.zeros(())
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            epoch_sum += loss.detach().cpu().double() * len(xb)
        result.append(float(epoch_sum / len(loader.dataset)))
    return result
'''),
    Variant("fit_with_tensorboard", "with-block-inference", "a with block, inference_mode, tensor accumulators and "
            "keyword steps; the graph logged after training", '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    first_batch = next(iter(train_loader))[0]
    with SummaryWriter(log_dir=log_dir) as writer:
        for epoch in range(epochs):
            model.train()
            running = torch.zeros((), dtype=torch.float64)
            for xb, yb in train_loader:
                optimizer.zero_grad(set_to_none=True)
                batch_loss = loss_fn(model(xb), yb)
                batch_loss.backward()
                optimizer.step()
                running += batch_loss.detach().double().cpu() * xb.shape[0]
            model.eval()
            with torch.inference_mode():
                test_sum = sum(loss_fn(model(xb), yb).double().cpu() * xb.shape[0] for xb, yb in test_loader)
            writer.add_scalar(tag="loss/train", scalar_value=(running / len(train_loader.dataset)).item(),
                              global_step=epoch)
            writer.add_scalar(tag="loss/test", scalar_value=(test_sum / len(test_loader.dataset)).item(),
                              global_step=epoch)
        model.train()
        writer.add_graph(model, first_batch)
'''),
    Variant("fit_with_tensorboard", "helpers-flush", "small helper functions, a restored mode, flush() then close()", '''
from torch.utils.tensorboard import SummaryWriter


def _mean_loss(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += float(loss_fn(model(xb), yb)) * len(yb)
            count += len(yb)
    model.train(was_training)
    return total / count


def _one_epoch(model, loader, loss_fn, optimizer):
    total, count = 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss = loss_fn(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total, count = total + loss.item() * len(yb), count + len(yb)
    return total / count


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir, flush_secs=5)
    xb, _ = next(iter(train_loader))
    writer.add_graph(model, xb)
    for step in range(epochs):
        writer.add_scalar("loss/train", _one_epoch(model, train_loader, loss_fn, optimizer), step)
        writer.add_scalar("loss/test", _mean_loss(model, test_loader, loss_fn), step)
    writer.flush()
    writer.close()
'''),
]

# The misconceptions in Chinese (the Chinese edition's feedback), in the glossary's terms (docs/glossary.md).
ZH = {
    "make_regression:noise-not-scaled":
        "直接加上 torch.randn(n)，没有乘以 `noise`，于是噪声的标准差永远是 1。",
    "make_regression:forgets-bias":
        "漏掉了偏置：应为 y = X @ w + b + 噪声。",
    "make_regression:uniform-features":
        "用 torch.rand 生成特征（[0, 1) 上的均匀分布）；特征应服从标准正态分布（torch.randn）。",
    "make_regression:stays-on-cpu":
        "在 CPU 上生成 X 之后没有移到 w 所在的设备：请用 .to(w.device)。",
    "make_classification:float-labels":
        "把标签做成了浮点数；类别标签是 int64（torch.long），交叉熵损失要求如此。",
    "make_classification:variance-as-std":
        "把噪声乘以 std ** 2；torch.randn 的标准差是 1，所以 std * randn 的标准差才是 `std`。",
    "make_classification:labels-cycle":
        "用 repeat 生成标签（0, 1, 2, 0, 1, 2, ...），但样本是按类别依次排列的：请用 repeat_interleave（0, 0, ..., 1, 1, ...）。",
    "make_classification:one-draw-for-all-classes":
        "只生成一块噪声并在每个类别中重复使用，于是各类别只是彼此平移的副本；每个类别都要重新生成噪声。",
    "data_split_batches:no-shuffle":
        "按原始顺序切分小批量；要先打乱下标，否则每一轮（epoch）看到的都是同样的批量。",
    "data_split_batches:drops-last":
        "只切出 len(X) // batch_size 个批量，丢掉了最后那个较小的批量：其中的样本永远不会被用到。",
    "data_split_batches:separate-shuffles":
        "用两个不同的排列分别打乱 X 和 y，特征和标签就对不上了；请用同一组打乱后的下标去索引两者。",
    "data_split_batches:with-replacement":
        "用 torch.randint 抽取下标，会重复一些样本、漏掉另一些；排列（torch.randperm）恰好使用每个样本一次。",
    "train_test_split:no-shuffle":
        "不打乱就把前面的行作为训练集；数据常常是有序的（按类别、按日期），所以要先打乱。",
    "train_test_split:round-size":
        "对 n * train_fraction 四舍五入；本题（和课程一样）取 int(n * train_fraction) 个样本，即向下取整。",
    "train_test_split:wrong-order":
        "返回了 (X_train, y_train, X_test, y_test)；顺序应为 (X_train, X_test, y_train, y_test)，与 scikit-learn 的 train_test_split 相同。",
    "train_test_split:separate-shuffles":
        "用两个不同的排列分别打乱 X 和 y，训练集的特征和标签就对不上了。",
    "PairDataset:len-of-a-row":
        "__len__ 返回了 features.shape[1]（列数）；长度应是样本数（行数）。",
    "PairDataset:features-only":
        "__getitem__ 只返回了特征；每个样本应是 (features[i], labels[i]) 这一对。",
    "PairDataset:label-first":
        "返回了 (labels[i], features[i])；DataLoader 的批量和训练循环都依赖 (特征, 标签) 这一约定顺序。",
    "PairDataset:no-length-check":
        "接受了长度不同的特征和标签；应当抛出 ValueError，否则错误的配对要到很久以后才会暴露。",
    "loss_with_loader:mean-of-batch-means":
        "对各批量的平均损失再取平均；最后一个批量较小时，要按批量大小给每个批量的均值加权，再除以样本总数。",
    "loss_with_loader:sum-of-batch-means":
        "把各批量的平均损失加起来却没有除以任何数：结果随批量个数增大。",
    "loss_with_loader:first-batch-only":
        "在循环内部 return，所以只计算了第一个批量；请在循环结束后再返回。",
    "loss_with_loader:full-batches-count":
        "除以 len(loader) * batch_size，把较小的最后一个批量也当成满的；请数样本个数。",
    "accuracy_with_loader:mean-of-batch-accuracies":
        "对各批量的准确率取平均；这样较小的最后一个批量与满批量权重相同。",
    "accuracy_with_loader:max-values":
        "拿最大 logit 的值和标签比较；预测的类别是它的位置，即 argmax。",
    "accuracy_with_loader:correct-count":
        "返回了预测正确的个数；准确率还要除以样本总数。",
    "accuracy_with_loader:argmax-over-batch":
        "在第 0 维（批量维）上取 argmax；类别应是每一行 logits 的 argmax，即 dim=1。",
    "fit:no-zero-grad":
        "从不清零梯度：backward() 会累加到 .grad 上，于是每一步都还叠加着以前所有的梯度。",
    "fit:zero-grad-before-step":
        "在 backward() 和 step() 之间清零梯度，于是这一步没有梯度可循；请在 backward() 之前清零。",
    "fit:step-before-backward":
        "在 loss.backward() 之前调用 optimizer.step()，所以每一步沿的都是上一个批量的梯度。",
    "fit:last-batch-loss":
        "每一轮只记录了最后一个批量的损失；一轮的损失是这一轮所有样本损失的平均值。",
    "fit:mean-of-batch-means":
        "对批量损失直接取平均，没有按批量大小加权；较小的最后一个批量因此被算得过重。",
    "fit_with_tensorboard:last-batch-loss":
        "在 'loss/train' 下记录的是每一轮最后一个批量的损失；一轮的损失是这一轮所有样本损失的平均值。",
    "fit_with_tensorboard:steps-from-1":
        "把第 e 轮记录在步数 e + 1 上；步数是从 0 开始计数的轮次。",
    "fit_with_tensorboard:test-in-train-mode":
        "在训练模式下计算测试损失（没有 model.eval()），于是在测试数据上 Dropout 仍然生效。",
    "fit_with_tensorboard:never-back-to-train":
        "计算测试损失前调用了 model.eval()，之后却没有再调用 model.train()，于是后面的轮次在关闭 Dropout 的情况下训练。",
    "fit_with_tensorboard:test-loss-with-gradients":
        "计算测试损失时没有使用 torch.no_grad()：autograd 为每个测试批量都白白记录了一张计算图。",
    "fit_with_tensorboard:no-close":
        "从不关闭 writer，最后的事件可能永远写不到磁盘上；请调用 writer.close()。",
    "fit_with_tensorboard:no-graph":
        "忘了 writer.add_graph(model, X_batch)，于是 TensorBoard 中没有模型的计算图。",
    "fit_with_tensorboard:test-before-training":
        "在这一轮的训练步骤之前计算测试损失；应在训练之后再记录。",
    "make_regression:reseeded-noise":
        "为噪声用同一个种子另建了一个生成器，于是噪声重复了最先生成的特征值，与 X 相关；所有随机数都应来自同一个生成器。",
    "make_regression:column-y":
        "把 w 当作列向量相乘（w.view(-1, 1)），于是 y 的形状是 (n, 1) 而不是 (n,)，而且 w 不连续时 view 会出错。",
    "make_classification:one-noise-per-row":
        "每一行只生成一个数（形状 (n, 1)）并广播到各个坐标，于是一行的所有坐标一起移动；应为每一行的每个坐标各生成一个数。",
    "make_classification:centers-repeat":
        "用 centers.repeat(n_per_class, 1) 重复中心，各类别交错排列（0, 1, 2, 0, ...），而标签是按类别依次排列的；两者都请用 repeat_interleave。",
    "data_split_batches:shuffle-in-place":
        "切分之前原地打乱了调用者的 X 和 y（X[:] = X[order]）：函数外面的数据被改变了；请用索引得到副本。",
    "data_split_batches:float-features":
        "把特征转成了浮点数（X.float()），这会改变整数、布尔和 float64 数据；请保持 X 的数据类型。",
    "train_test_split:shuffle-in-place":
        "切片之前原地打乱了调用者的 X 和 y：调用者的数据被重新排序了；请用索引得到副本。",
    "train_test_split:numpy-round-trip":
        "借助 numpy（X.numpy()）打乱，这只适用于 CPU 上的张量；请用 torch.randperm 打乱。",
    "PairDataset:compares-shapes":
        "检查 features.shape != labels.shape，这会拒绝所有特征多于一列的合法数据集；请比较长度（第 0 维）。",
    "PairDataset:float-features":
        "在 __init__ 中把特征转成 float32（features.float()），这会改变整数、布尔和 float64 数据；请按原样保存。",
    "loss_with_loader:returns-tensor":
        "把批量损失作为张量累加，返回了零维张量；请返回 Python 浮点数（.item()）。",
    "loss_with_loader:tracks-gradients":
        "评估时没有使用 torch.no_grad()，于是 autograd 为每个批量都白白记录了一张计算图。",
    "loss_with_loader:backward-in-evaluation":
        "对评估的损失调用了 backward()，这会累加到参数的 .grad 上，破坏下一个训练步骤；评估只应读取模型。",
    "accuracy_with_loader:tensor-count":
        "用张量统计预测正确的个数，返回了零维张量；请返回 Python 浮点数。",
    "accuracy_with_loader:tracks-gradients":
        "评估时没有使用 torch.no_grad()，于是 autograd 为每个批量都白白记录了一张计算图。",
    "fit:tensor-losses":
        "把每一轮的损失保存为张量（没有 .item()），每个批量的计算图都因此一直留在内存中；请返回 Python 浮点数。",
    "fit:zero-grad-per-epoch":
        "每一轮只清零一次梯度，而不是每个批量清零一次，于是每一步还沿着前面批量的梯度走。",
}
