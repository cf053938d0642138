"""Seconds per NAS-Bench-201 DARTS iteration of the reference (AutoDL-Projects' TinyNetworkDarts), on the CPU.

Used by `npm run bench:search -- --configs nb201 --reference-nb201 DIR` to put tfnas's NB201 supernet
step next to the code behind the NAS-Bench-201 paper's DARTS rows. Not part of tfnas: it times the
unmodified reference, which you clone yourself (git clone https://github.com/D-X-Y/AutoDL-Projects),
with PyTorch installed (Debian's python3-torch). One iteration is DARTS-V1.py's `search_func` body
(first order): the weight step (forward, backward, clip 5, SGD) then the α step (forward, backward, Adam).

  python3 scripts/bench-nb201-reference.py --autodl DIR [--batch 64 --C 16 --N 5 --steps 3 --threads 0]

Prints one JSON line: the configuration, torch's thread count, the parameter count, the median and
every timed iteration, and the peak RSS.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--autodl', required=True, help='a checkout of D-X-Y/AutoDL-Projects (the repository root)')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--C', type=int, default=16)
    p.add_argument('--N', type=int, default=5)
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0: torch default)')
    a = p.parse_args()
    if not os.path.isdir(os.path.join(a.autodl, 'xautodl')):
        sys.exit(f'--autodl: no xautodl/ package in {a.autodl}')
    sys.path.insert(0, a.autodl)
    from xautodl.models.cell_searchs.search_model_darts import TinyNetworkDarts
    from xautodl.models.cell_operations import NAS_BENCH_201

    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    # The NAS-Bench-201 paper's DARTS search: affine=False, track_running_stats=False BNs in the cells.
    net = TinyNetworkDarts(a.C, a.N, 4, 10, NAS_BENCH_201, False, False)
    params = sum(p.numel() for p in net.get_weights())
    # DARTS-V1.py: SGD(0.025, momentum 0.9, wd 5e-4, nesterov) on the weights, Adam(3e-4, (0.5, 0.999), wd 1e-3) on α.
    w_opt = torch.optim.SGD(net.get_weights(), 0.025, momentum=0.9, weight_decay=5e-4, nesterov=True)
    a_opt = torch.optim.Adam(net.get_alphas(), lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)
    crit = nn.CrossEntropyLoss()
    x, y = torch.randn(a.batch, 3, 32, 32), torch.randint(0, 10, (a.batch,))
    xa, ya = torch.randn(a.batch, 3, 32, 32), torch.randint(0, 10, (a.batch,))

    def step():
        net.train()
        w_opt.zero_grad()
        _, logits = net(x)
        crit(logits, y).backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5)
        w_opt.step()
        a_opt.zero_grad()
        _, logits = net(xa)
        crit(logits, ya).backward()
        a_opt.step()

    step()  # warm-up, as tfnas's benchmark
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        'batch': a.batch, 'C': a.C, 'layers': a.N, 'order': 1, 'threads': torch.get_num_threads(), 'params': params,
        'torch': torch.__version__, 'secondsPerStep': sorted(times)[len(times) // 2], 'stepSeconds': times,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
