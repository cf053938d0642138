"""Times one retraining step of the reference (quark0/darts cnn/model.py NetworkCIFAR) for
`npm run bench:train -- --reference DIR`: DARTS_V2 with the auxiliary head, drop-path 0.2,
forward + loss + 0.4 * auxiliary loss + backward + clip 5 + SGD (momentum 0.9, weight decay 3e-4),
as the reference's train.py does, on random CIFAR-shaped batches, CPU only.

DIR is a checkout of github.com/quark0/darts (not part of tfnas). Its utils.py needs torchvision
and a GPU for drop_path; this harness supplies a CPU drop_path with the same semantics instead
(x / keep * Bernoulli(keep) mask per sample). Prints one JSON line.
"""
import argparse
import json
import os
import resource
import sys
import time
import types

import torch
import torch.nn as nn


def drop_path(x, drop_prob):
    if drop_prob > 0.0:
        keep = 1.0 - drop_prob
        mask = torch.empty(x.size(0), 1, 1, 1).bernoulli_(keep)
        x = x.div(keep).mul(mask)
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--reference', required=True)
    p.add_argument('--C', type=int, default=16)
    p.add_argument('--layers', type=int, default=8)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--steps', type=int, default=3)
    a = p.parse_args()
    sys.path.insert(0, os.path.join(a.reference, 'cnn'))
    utils = types.ModuleType('utils')
    utils.drop_path = drop_path
    sys.modules['utils'] = utils
    import genotypes  # noqa: E402 (from the reference checkout)
    from model import NetworkCIFAR  # noqa: E402

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = NetworkCIFAR(a.C, 10, a.layers, True, genotypes.DARTS_V2)
    model.drop_path_prob = 0.2
    model.train()
    opt = torch.optim.SGD(model.parameters(), 0.025, momentum=0.9, weight_decay=3e-4)
    crit = nn.CrossEntropyLoss()
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        opt.zero_grad()
        logits, aux = model(x)
        loss = crit(logits, y) + 0.4 * crit(aux, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    params = sum(v.numel() for n, v in model.named_parameters() if 'auxiliary' not in n)
    print(json.dumps({
        'threads': a.threads,
        'median_step_seconds': round(times[len(times) // 2], 3),
        'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'params_without_auxiliary': params,
    }))


if __name__ == '__main__':
    main()
