"""The bar of issue 5: colour histograms do not predict the scene class, a small CNN does.

3 classes at 32x32: a logistic regression on colour histograms stays within 10
points of chance, while a 4-conv CNN trained 10 CPU epochs is far above it (about 75-80 %).
"""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.data import load_dataset

torch = pytest.importorskip("torch")
BATCH = 64


def colour_histograms(images: np.ndarray) -> np.ndarray:
    """Per image: a joint RGB histogram (4x4x4 bins) and per-channel histograms (16 bins), as shares."""
    n = len(images)
    flat = images.reshape(n, -1, 3).astype(np.int64)
    q = flat // 64
    joint = q[..., 0] * 16 + q[..., 1] * 4 + q[..., 2]
    feats = [np.stack([np.bincount(row, minlength=64) for row in joint])]
    for c in range(3):
        feats.append(np.stack([np.bincount(row, minlength=16) for row in flat[..., c] // 16]))
    return np.concatenate(feats, 1) / flat.shape[1]


def small_cnn(n_classes: int):
    nn = torch.nn

    def block(i, o, pool):
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()] + ([nn.MaxPool2d(2)] if pool else [])

    return nn.Sequential(*block(3, 24, True), *block(24, 32, True), *block(32, 48, True), *block(48, 48, False),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(48, n_classes))


def train_cnn(train, test, epochs: int, seed: int = 0) -> float:
    torch.manual_seed(seed)
    x = torch.from_numpy(train.images).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(train.labels)
    xt = torch.from_numpy(test.images).permute(0, 3, 1, 2).float() / 255
    net = small_cnn(len(train.class_names))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps, pct_start=0.2)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(x), generator=gen)
        for b in range(0, len(x), BATCH):
            i = perm[b:b + BATCH]
            xb = x[i]
            flip = torch.rand(len(i), generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            loss = torch.nn.functional.cross_entropy(net(xb), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    with torch.no_grad():
        pred = net(xt).argmax(1).numpy()
    return float((pred == test.labels).mean())


@pytest.fixture(scope="module")
def scenes_bar():
    train = load_dataset("scenes", "train", classes=3, per_class=250, size=32, seed=0)
    test = load_dataset("scenes", "test", classes=3, per_class=100, size=32, seed=0)
    return train, test


def test_colour_histograms_stay_at_chance_while_a_small_cnn_learns(scenes_bar):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train, test = scenes_bar
    chance = 1 / 3
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    lr.fit(colour_histograms(train.images), train.labels)
    hist_acc = lr.score(colour_histograms(test.images), test.labels)
    torch.set_num_threads(2)
    cnn_acc = train_cnn(train, test, epochs=10)
    print(f"colour histograms + logistic regression: {hist_acc:.3f}; small CNN: {cnn_acc:.3f}")
    assert abs(hist_acc - chance) <= 0.10
    assert cnn_acc >= 0.65 and cnn_acc >= hist_acc + 0.25
