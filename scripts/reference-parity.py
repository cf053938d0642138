"""Compares tfnas's retraining network with quark0/darts NetworkCIFAR on identical weights and
inputs (see scripts/reference-parity.ts, which writes the JSON): eval-mode logits, the training
loss (with 0.4 * auxiliary loss, no drop-path), every weight gradient, and the BatchNorm running
statistics after the step. DIR is a checkout of github.com/quark0/darts (not part of tfnas).
"""
import argparse
import json
import os
import re
import sys
import types

import numpy as np
import torch
import torch.nn as nn

SEP = {'dw1': 1, 'pw1': 2, 'bn1': 3, 'dw2': 5, 'pw2': 6, 'bn2': 7}
DIL = {'dw': 1, 'pw': 2, 'bn': 3}
FR = {'conv1': 'conv_1', 'conv2': 'conv_2', 'bn': 'bn'}
AUX = {'conv1': 'features.2', 'bn1': 'features.3', 'conv2': 'features.5', 'bn2': 'features.6', 'classifier': 'classifier'}


def module_of(layer, part, names):
    """The reference's module path for tfnas layer `layer` (and `part` of it)."""
    if layer == 'stem_conv':
        return 'stem.0'
    if layer == 'stem_bn':
        return 'stem.1'
    if layer == 'classifier':
        return 'classifier'
    if layer == 'auxiliary':
        return 'auxiliary_head.' + AUX[part]
    m = re.match(r'cell(\d+)_pre(\d)$', layer)
    if m:
        pre = 'cells.%s.preprocess%s' % m.groups()
        factorized = any(n.startswith(layer + '.conv1') for n in names)
        return pre + '.' + FR[part] if factorized else pre + '.op.' + {'conv': '1', 'bn': '2'}[part]
    m = re.match(r'cell(\d+)_n(\d+)_e(\d)$', layer)
    i, node, j = (int(g) for g in m.groups())
    base = 'cells.%d._ops.%d' % (i, 2 * node + j)
    if part in SEP:
        return '%s.op.%d' % (base, SEP[part])
    if part in FR and any(n.startswith(layer + '.conv1') for n in names):
        return base + '.' + FR[part]
    return '%s.op.%d' % (base, DIL[part])


def split(name):
    """tfnas name -> (layer, part, kind)."""
    kind = None
    for suffix, k in (('.gamma', 'weight'), ('.beta', 'bias'), ('.weight', 'weight'), ('.bias', 'bias'), ('/mean', 'running_mean'), ('/var', 'running_var')):
        if name.endswith(suffix):
            name, kind = name[: -len(suffix)], k
            break
    if name.startswith('auxiliary_'):
        return 'auxiliary', name[len('auxiliary_'):], kind or 'weight'
    if '.' in name:
        layer, part = name.split('.', 1)
        return layer, part, kind or 'weight'
    return name, None, kind or 'weight'


def to_torch(a, shape):
    a = np.asarray(a, dtype=np.float32).reshape(shape)
    if len(shape) == 4:
        return a.transpose(3, 2, 0, 1) if shape[3] != 1 or shape[2] == 1 else a.transpose(2, 3, 0, 1)
    if len(shape) == 2:
        return a.T
    return a


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--reference', required=True)
    p.add_argument('json')
    a = p.parse_args()
    sys.path.insert(0, os.path.join(a.reference, 'cnn'))
    utils = types.ModuleType('utils')
    utils.drop_path = lambda x, prob: x
    sys.modules['utils'] = utils
    import genotypes
    from model import NetworkCIFAR

    d = json.load(open(a.json))
    torch.set_num_threads(1)
    model = NetworkCIFAR(8, 10, 5, True, genotypes.DARTS_V2)
    state = model.state_dict()
    names = list(d['weights']) + list(d['buffers'])
    where = {}
    for group in ('weights', 'buffers'):
        for n, v in d[group].items():
            layer, part, kind = split(n)
            key = module_of(layer, part, names) + '.' + kind
            assert key in state, (n, key)
            t = to_torch(v['data'], v['shape'])
            assert tuple(state[key].shape) == t.shape, (n, key, state[key].shape, t.shape)
            state[key] = torch.from_numpy(t.copy())
            where[n] = key
    assert len(where) == len([k for k in state if not k.endswith('num_batches_tracked')]), 'not every reference tensor was set'
    model.load_state_dict(state)
    x = torch.from_numpy(np.asarray(d['x']['data'], dtype=np.float32).reshape(d['x']['shape']).transpose(0, 3, 1, 2).copy())
    y = torch.tensor(d['y'])
    model.drop_path_prob = 0.0
    model.eval()
    with torch.no_grad():
        logits, _ = model(x)
    print('eval logits: max |diff| %.2e' % np.abs(logits.numpy().ravel() - np.asarray(d['logits_eval'])).max())
    model.train()
    crit = nn.CrossEntropyLoss()
    logits, aux = model(x)
    loss = crit(logits, y) + 0.4 * crit(aux, y)
    loss.backward()
    print('training loss: reference %.7f, tfnas %.7f, |diff| %.2e' % (loss.item(), d['loss_train'], abs(loss.item() - d['loss_train'])))
    params = dict(model.named_parameters())
    worst = max((np.abs(to_torch(g['data'], g['shape']) - params[where[n]].grad.numpy()).max() / (np.abs(params[where[n]].grad.numpy()).max() + 1e-12), n) for n, g in d['grads'].items())
    print('weight gradients: worst relative max |diff| %.2e (%s), %d tensors' % (worst[0], worst[1], len(d['grads'])))
    sd = model.state_dict()
    worst = max((np.abs(to_torch(v['data'], v['shape']) - sd[where[n]].numpy()).max(), n) for n, v in d['buffers_after'].items())
    print('BatchNorm running statistics after the step: max |diff| %.2e (%s)' % worst)


if __name__ == '__main__':
    main()
