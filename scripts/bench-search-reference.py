"""Seconds per DARTS search step of the reference implementation (quark0/darts), on the CPU.

Used by `npm run bench:search -- --reference DIR` to put tfnas's step time next to the reference's
at the same configuration. Not part of tfnas: it times the unmodified reference code, which you
clone yourself (git clone https://github.com/quark0/darts), with PyTorch >= 1.0 installed (e.g.
Debian's python3-torch). One step = `architect.step` then the weight step, as in train_search.py.

  python3 scripts/bench-search-reference.py --darts DIR [--batch 64 --C 16 --layers 8
      --order 1 --steps 3 --threads 0]

Prints one JSON line: the configuration, torch's thread count, the median and every timed step.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn

# The reference calls .cuda() throughout; on a CPU-only machine those become no-ops.
torch.Tensor.cuda = lambda self, *a, **k: self
nn.Module.cuda = lambda self, *a, **k: self


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--darts', required=True, help='a checkout of quark0/darts (the repository root or its cnn/ folder)')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--C', type=int, default=16)
    p.add_argument('--layers', type=int, default=8)
    p.add_argument('--order', type=int, choices=[1, 2], default=1)
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0: torch default)')
    a = p.parse_args()
    cnn = a.darts if os.path.exists(os.path.join(a.darts, 'model_search.py')) else os.path.join(a.darts, 'cnn')
    if not os.path.exists(os.path.join(cnn, 'model_search.py')):
        sys.exit(f'--darts: no model_search.py in {a.darts} or its cnn/ folder')
    sys.path.insert(0, cnn)
    from model_search import Network
    from architect import Architect

    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Network(a.C, 10, a.layers, nn.CrossEntropyLoss())
    # train_search.py's defaults (the paper's CIFAR-10 search).
    hyper = argparse.Namespace(momentum=0.9, weight_decay=3e-4, arch_learning_rate=3e-4, arch_weight_decay=1e-3)
    optimizer = torch.optim.SGD(model.parameters(), 0.025, momentum=hyper.momentum, weight_decay=hyper.weight_decay)
    architect = Architect(model, hyper)
    x, y = torch.randn(a.batch, 3, 32, 32), torch.randint(0, 10, (a.batch,))
    xv, yv = torch.randn(a.batch, 3, 32, 32), torch.randint(0, 10, (a.batch,))

    def step():
        model.train()
        architect.step(x, y, xv, yv, 0.025, optimizer, unrolled=a.order == 2)
        optimizer.zero_grad()
        loss = model._loss(x, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        optimizer.step()

    step()  # warm-up, as tfnas's benchmark
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        'batch': a.batch, 'C': a.C, 'layers': a.layers, 'order': a.order, 'threads': torch.get_num_threads(),
        'torch': torch.__version__, 'secondsPerStep': sorted(times)[len(times) // 2], 'stepSeconds': times,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
